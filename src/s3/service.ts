import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { type AwsError, isAwsError } from "../protocol/errors.js";
import { buildXmlError } from "../protocol/rest-xml.js";
import { isSignedStreaming } from "../protocol/sigv4-chunks.js";
import { recordWithOwnerCopy } from "../recorder/cross-account.js";
import type { EventSink } from "../recorder/event-sink.js";
import type { RawRequest, RawResponse } from "../server/raw-http.js";
import type { RequestContext } from "../server/request-context.js";
import { buildEventDraft } from "./audit.js";
import { authorizeBucketAccess, type BucketAccessRequest, type BucketAccessResult } from "./authorize.js";
import { decodeAwsChunked, isAwsChunked } from "./aws-chunked.js";
import { BlobFiles } from "./blob-files.js";
import { BuiltinObjectStore } from "./builtin-store.js";
import type { S3Call } from "./call.js";
import { S3Error, S3Errors } from "./errors.js";
import { HANDLERS } from "./handlers.js";
import { assertKey } from "./names.js";
import { ObjectIndex } from "./object-index.js";
import { verifyPayloadHash } from "./payload-hash.js";
import { receiveBody, receivesPooled } from "./request-stream.js";
import { parseAddress, resolveOperation } from "./routing.js";
import { type S3Logger, S3Runtime } from "./runtime.js";

export interface S3ServiceOptions {
  dataDir: string;
  sink: EventSink;
  defaultRegion: string;
  logger?: S3Logger;
  /** Whether requests arrive over TLS (aws:SecureTransport, tlsDetails). Default false. */
  secureTransport?: boolean;
  /** Largest request body read from `RawRequest.stream` (EntityTooLarge above). Default 5 GiB. */
  maxBodyBytes?: number;
}

export interface S3Service {
  /** Answers one S3 request; resolves only after its CloudTrail record is durable. */
  handle(req: RawRequest, ctx: RequestContext): Promise<RawResponse>;
  /**
   * Whether the edge should hand this request's body over unread (ServiceEndpoint.streamsBody):
   * object uploads, which `handle` then reads into pooled memory and whose declared payload hash
   * it checks off the event loop.
   */
  streamsBody(head: RawRequest): boolean;
  /** The built-in store, direct and unaudited, for OpenTrail's own delivery. */
  store: BuiltinObjectStore;
  /** Whether a principal (e.g. cloudtrail.amazonaws.com) may act on a built-in bucket. */
  authorizeBucketAccess(
    bucket: string,
    request: BucketAccessRequest,
  ): Promise<BucketAccessResult & { exists: boolean }>;
  close(): Promise<void>;
}

function errorResponse(
  err: AwsError,
  call: Partial<S3Call>,
  req: RawRequest,
  ids: { requestId: string; hostId: string },
) {
  const headers: Record<string, string> = { ...err.headers };
  if (req.method.toUpperCase() === "HEAD")
    return { status: err.status, headers: { ...headers, "content-length": "0" } };
  const fields = err instanceof S3Error ? err.fields : {};
  const resource =
    call.bucket === undefined
      ? req.rawPath
      : `/${call.bucket}${call.key === undefined ? "" : `/${call.key}`}`;
  const body = buildXmlError(err.code, err.message, fields, { resource, ...ids });
  return {
    status: err.status,
    headers: { ...headers, "content-type": "application/xml", "content-length": String(body.length) },
    body,
  };
}

/**
 * Decodes an aws-chunked body. A request that declares signed chunks has them checked with the
 * signing context of its verified seed signature; without one (nothing verified the seed) it
 * is refused: its chunk signatures could not be checked.
 */
function decodeBody(call: S3Call): void {
  const { headers, chunkSigning } = call.req;
  const signed = chunkSigning !== undefined || isSignedStreaming(headers["x-amz-content-sha256"]);
  if (!signed && (call.body.length === 0 || !isAwsChunked(headers))) return;
  if (signed && !chunkSigning) throw S3Errors.signatureDoesNotMatch();
  const declared = headers["x-amz-decoded-content-length"];
  const decoded = decodeAwsChunked(
    call.body,
    declared === undefined ? undefined : Number(declared),
    chunkSigning,
  );
  call.body = decoded.body;
  call.trailers = decoded.trailers;
}

/** A response replaced by an error: its file stream is closed, its pooled buffer given back. */
function dropBody(res: RawResponse): void {
  if (res.body instanceof Readable) res.body.destroy();
  res.release?.();
}

function bytesOut(res: RawResponse, method: string): number {
  if (method.toUpperCase() === "HEAD" || res.body === undefined) return 0;
  return Buffer.isBuffer(res.body) ? res.body.length : Number(res.headers["content-length"] ?? 0);
}

export function createS3Service(options: S3ServiceOptions): S3Service {
  const root = join(options.dataDir, "s3");
  mkdirSync(root, { recursive: true });
  const index = new ObjectIndex(join(root, "index.sqlite"));
  const blobs = new BlobFiles(join(root, "objects"), () => index.flush());
  blobs.init();
  const maxBodyBytes = options.maxBodyBytes ?? 5 * 1024 ** 3;
  const rt = new S3Runtime(
    index,
    blobs,
    options.defaultRegion,
    options.secureTransport ?? false,
    options.logger,
  );

  /**
   * Whether a streamed body goes to its object file as it arrives (BlobUpload): a plain (not
   * aws-chunked) PutObject / UploadPart body received into pooled memory, for a bucket that
   * exists. Every check still runs once the body is in; a refused body's file is dropped.
   */
  function writesWhileReceiving(call: S3Call): boolean {
    const { headers } = call.req;
    return (
      (call.operation === "PutObject" || call.operation === "UploadPart") &&
      call.req.chunkSigning === undefined &&
      !isAwsChunked(headers) &&
      receivesPooled(headers, maxBodyBytes) &&
      call.bucket !== undefined &&
      index.getBucket(call.bucket) !== undefined
    );
  }

  async function run(call: S3Call, pooled: Buffer[]): Promise<RawResponse> {
    if (call.key !== undefined) assertKey(call.key);
    if (call.req.stream) {
      const upload = writesWhileReceiving(call) ? rt.blobs.begin() : undefined;
      call.upload = upload;
      const received = await receiveBody(
        call.req.stream,
        call.req.headers,
        rt.buffers,
        maxBodyBytes,
        upload && ((body, n) => upload.append(body, n)),
      );
      if (received.pooled) pooled.push(received.body);
      call.body = received.body;
      await verifyPayloadHash(call.req.headers, received.body, rt);
    }
    decodeBody(call);
    if (call.bucket !== undefined && call.operation !== "CreateBucket")
      call.bucketRecord = index.getBucket(call.bucket);
    const handler = HANDLERS[call.operation];
    if (!handler) throw S3Errors.notImplemented();
    return handler(call, rt);
  }

  async function handle(req: RawRequest, ctx: RequestContext): Promise<RawResponse> {
    const ids = { requestId: ctx.requestId, hostId: randomBytes(32).toString("base64") };
    let call: S3Call | undefined;
    let response: RawResponse;
    let error: AwsError | undefined;
    // The request body's pooled memory: free once the handler is done (it keeps no reference).
    const pooled: Buffer[] = [];
    try {
      const address = parseAddress(req.rawPath, req.headers.host);
      const operation = resolveOperation(req, address);
      call = {
        req,
        ctx,
        operation,
        bucket: address.bucket,
        key: address.key,
        body: req.body,
        trailers: {},
        audit: { requestParameters: {}, responseElements: null, resources: [] },
      };
      response = await run(call, pooled);
    } catch (e) {
      error = isAwsError(e) ? e : S3Errors.internalError();
      if (!isAwsError(e)) options.logger?.error("S3 request failed", { requestId: ctx.requestId, error: e });
      response = errorResponse(error, call ?? {}, req, ids);
    }
    // An upload no handler finished (a refused or cut-off body): its temp file goes, and its
    // last write must be done before the memory it reads is lent again.
    if (call?.upload) await call.upload.abort();
    for (const buf of pooled) rt.buffers.release(buf);
    try {
      // Group commit: no answer, success or error, leaves before the index changes so far are durable.
      await index.flush();
    } catch (e) {
      dropBody(response);
      options.logger?.error("S3 index could not be synced", { requestId: ctx.requestId, error: e });
      error = S3Errors.internalError();
      response = errorResponse(error, call ?? {}, req, ids);
    }
    response.headers["x-amz-request-id"] = ids.requestId;
    response.headers["x-amz-id-2"] = ids.hostId;
    if (!call) return response;
    try {
      const draft = buildEventDraft(call, {
        error,
        bytesOut: bytesOut(response, req.method),
        hostId: ids.hostId,
        secureTransport: rt.secureTransport,
      });
      // A call on another account's bucket is the caller's and the bucket owner's, as in S3.
      await recordWithOwnerCopy(options.sink, draft, call.bucketRecord?.ownerAccountId);
    } catch (e) {
      // Never acknowledge a call whose record is not durable.
      dropBody(response);
      options.logger?.error("S3 call could not be recorded", { requestId: ctx.requestId, error: e });
      const failure = errorResponse(S3Errors.internalError(), call, req, ids);
      return {
        ...failure,
        headers: { ...failure.headers, "x-amz-request-id": ids.requestId, "x-amz-id-2": ids.hostId },
      };
    }
    return response;
  }

  return {
    handle,
    streamsBody: (head) =>
      head.method.toUpperCase() === "PUT" && head.headers["x-amz-content-sha256"] !== undefined,
    store: new BuiltinObjectStore(rt),
    async authorizeBucketAccess(bucket, request) {
      const b = index.getBucket(bucket);
      if (!b) return { exists: false, allowed: false, decision: "ImplicitDeny" };
      return {
        exists: true,
        ...authorizeBucketAccess({ ownerAccountId: b.ownerAccountId, policy: rt.policyOf(b) }, request),
      };
    },
    async close() {
      await rt.digests.close();
      await index.close();
      blobs.close();
    },
  };
}
