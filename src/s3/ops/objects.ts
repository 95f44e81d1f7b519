import type { RawResponse } from "../../server/raw-http.js";
import type { OperationHandler, S3Call } from "../call.js";
import { lockForNewVersion } from "../lock-rules.js";
import type { BucketRecord, ObjectVersion } from "../model.js";
import { contentMetaFrom, objectHeaders, responseOverrides } from "../object-meta.js";
import { quoteEtag } from "../responses.js";
import type { S3Runtime } from "../runtime.js";
import { commitVersion, resolveVersion } from "../versions.js";
import { storeBody } from "./object-body.js";
import { checkPreconditions, parseRange } from "./read-conditions.js";

/** PutObject, GetObject, HeadObject. https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html */
const BUFFERED_READ_LIMIT = 8 * 1024 * 1024;

function writeHeaders(v: ObjectVersion, bucket: BucketRecord): Record<string, string> {
  const h: Record<string, string> = {
    etag: quoteEtag(v.etag),
    "x-amz-server-side-encryption": v.meta.serverSideEncryption ?? "AES256",
  };
  if (bucket.versioning) h["x-amz-version-id"] = v.versionId;
  for (const [alg, value] of Object.entries(v.meta.checksums ?? {})) h[`x-amz-checksum-${alg}`] = value;
  return h;
}

function auditWrite(call: S3Call, headers: Record<string, string>): void {
  const elements: Record<string, string> = {};
  for (const name of ["x-amz-server-side-encryption", "x-amz-version-id"]) {
    const v = headers[name];
    if (v !== undefined) elements[name] = v;
  }
  call.audit.responseElements = elements;
}

export const putObject: OperationHandler = async (call, rt) => {
  const key = call.key as string;
  const bucket = rt.authorize(call, "s3:PutObject", key);
  const now = call.ctx.receivedAt;
  const meta = contentMetaFrom(call.req.headers, call.ctx.principal.accountId);
  const lock = lockForNewVersion(call.req.headers, bucket, now);
  const { blob, etag, size, checksums } = await storeBody(call, rt);
  const v = await commitVersion(rt, bucket, key, {
    blob,
    size,
    etag,
    meta: { ...meta, ...lock, checksums },
  });
  const headers = writeHeaders(v, bucket);
  auditWrite(call, headers);
  return { status: 200, headers: { ...headers, "content-length": "0" } };
};

async function readObject(call: S3Call, rt: S3Runtime, withBody: boolean): Promise<RawResponse> {
  const key = call.key as string;
  const versionId = call.req.query.get("versionId");
  const bucket = rt.authorize(call, versionId === null ? "s3:GetObject" : "s3:GetObjectVersion", key);
  const v = resolveVersion(rt, bucket.name, key, versionId);
  const notModified = checkPreconditions(call.req.headers, v);
  const range = parseRange(call.req.headers.range, v.size);
  const checksumMode = (call.req.headers["x-amz-checksum-mode"] ?? "").toUpperCase() === "ENABLED";
  const headers = {
    ...objectHeaders(v, bucket, checksumMode && !range),
    ...responseOverrides(call.req.query),
  };
  if (notModified) {
    return {
      status: 304,
      headers: { etag: headers.etag as string, "last-modified": headers["last-modified"] as string },
    };
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? v.size - 1;
  const length = Math.max(0, end - start + 1);
  headers["content-length"] = String(length);
  if (range) headers["content-range"] = `bytes ${start}-${end}/${v.size}`;
  const status = range ? 206 : 200;
  if (!withBody || length === 0 || !v.blob)
    return { status, headers, body: withBody ? Buffer.alloc(0) : undefined };
  // Large bodies stream. Others are read whole into a pooled buffer (one read beats a stream's
  // per-chunk overhead), given back once the response has been handed to the socket.
  if (length > BUFFERED_READ_LIMIT)
    return { status, headers, body: await rt.blobs.stream(v.blob, start, end) };
  const buf = rt.buffers.acquire(length);
  try {
    const body = await rt.blobs.read(v.blob, start, length, buf);
    return { status, headers, body, release: () => rt.buffers.release(buf) };
  } catch (e) {
    rt.buffers.release(buf);
    throw e;
  }
}

export const getObject: OperationHandler = (call, rt) => readObject(call, rt, true);
export const headObject: OperationHandler = (call, rt) => readObject(call, rt, false);
