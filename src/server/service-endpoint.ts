import type { Principal } from "../iam/principal.js";
import type { AwsError } from "../protocol/errors.js";
import type { RawRequest, RawResponse } from "./raw-http.js";
import type { RequestContext } from "./request-context.js";
import type { WireFormat } from "./wire-errors.js";

/**
 * One service on the shared port, chosen by the signing name in the request's SigV4
 * credential scope (`cloudtrail`, `sts`, `s3`, ...).
 */
export interface ServiceEndpoint {
  format: WireFormat;
  maxBodyBytes: number;
  /** SigV4 canonical URI rule: every service but S3 encodes the path twice. */
  uriEscapePath: boolean;
  /** SigV4 clock-skew window: AWS allows 15 minutes for S3 and STS, 5 for the JSON services. */
  clockSkewSeconds: number;
  handle(req: RawRequest, ctx: RequestContext): Promise<RawResponse>;
  /**
   * Whether this request's body is handed over unread (`RawRequest.stream`) instead of being
   * buffered up to maxBodyBytes. Asked before authentication, with the head only. Default: never.
   */
  streamsBody?(head: RawRequest): boolean;
  /** Told about a request refused before `handle` (authentication, size), to record it. */
  rejected?(req: RawRequest, call: RejectedCall): Promise<void>;
}

/** A refused request, with the identity its access key names when the key is known. */
export interface RejectedCall {
  requestId: string;
  error: AwsError;
  accessKeyId: string;
  region: string;
  /** Known key: the identity the request claimed (not proven). */
  principal?: Principal;
  sourceIPAddress: string;
  userAgent: string;
  receivedAt: Date;
  host?: string;
}
