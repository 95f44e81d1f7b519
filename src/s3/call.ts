import type { EventResource, JsonObject } from "../events/cloudtrail-event.js";
import type { RawRequest, RawResponse } from "../server/raw-http.js";
import type { RequestContext } from "../server/request-context.js";
import type { BlobUpload } from "./blob-upload.js";
import type { BucketRecord } from "./model.js";
import type { S3Runtime } from "./runtime.js";

/** One S3 request on its way through a handler, with what the audit record needs to know. */
export interface S3Call {
  req: RawRequest;
  ctx: RequestContext;
  operation: string;
  bucket?: string;
  key?: string;
  /** The request body, aws-chunked already decoded. */
  body: Buffer;
  /** Trailing headers of an aws-chunked body (`x-amz-checksum-crc32`, ...). */
  trailers: Record<string, string>;
  /**
   * The body's object file, written while the body arrived (a plain PutObject / UploadPart
   * body): storing the body finishes it rather than writing the bytes again.
   */
  upload?: BlobUpload;
  /** The addressed bucket, when it exists. */
  bucketRecord?: BucketRecord;
  audit: AuditNotes;
}

/** What a handler adds to the CloudTrail record of its call. */
export interface AuditNotes {
  requestParameters: JsonObject;
  responseElements: JsonObject | null;
  resources: EventResource[];
  /** Key prefix for listing data events (`ARNPrefix`). */
  prefix?: string;
}

export type OperationHandler = (call: S3Call, rt: S3Runtime) => Promise<RawResponse>;
