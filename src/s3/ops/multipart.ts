import { createHash, randomBytes } from "node:crypto";
import { xmlList, xmlText } from "../../protocol/rest-xml.js";
import type { OperationHandler, S3Call } from "../call.js";
import { S3Errors } from "../errors.js";
import { lockForNewVersion } from "../lock-rules.js";
import type { MultipartUpload, UploadedPart } from "../model.js";
import { contentMetaFrom } from "../object-meta.js";
import { emptyResponse, quoteEtag, unquoteEtag, xmlResponse } from "../responses.js";
import type { S3Runtime } from "../runtime.js";
import { commitVersion } from "../versions.js";
import { storeBody } from "./object-body.js";
import { xmlBody } from "./request-body.js";

/**
 * Multipart upload: Create, UploadPart, Complete, Abort, ListParts. Parts are durable files of
 * their own; Complete concatenates them into the object's file. The ETag is S3's:
 * MD5 of the concatenated part MD5s, then `-<number of parts>`.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 */
const MIN_PART_SIZE = 5 * 1024 * 1024;

function uploadOf(call: S3Call, rt: S3Runtime): MultipartUpload {
  const uploadId = call.req.query.get("uploadId") ?? "";
  const upload = rt.index.getUpload(uploadId);
  if (!upload || upload.bucket !== call.bucket || upload.key !== call.key)
    throw S3Errors.noSuchUpload(uploadId);
  return upload;
}

export const createMultipartUpload: OperationHandler = async (call, rt) => {
  const key = call.key as string;
  const bucket = rt.authorize(call, "s3:PutObject", key);
  const meta = contentMetaFrom(call.req.headers, call.ctx.principal.accountId);
  const lock = lockForNewVersion(call.req.headers, bucket, call.ctx.receivedAt);
  const uploadId = randomBytes(24).toString("base64url");
  rt.index.insertUpload({
    uploadId,
    bucket: bucket.name,
    key,
    initiated: new Date(),
    meta: { ...meta, ...lock },
  });
  const headers: Record<string, string> = {
    "x-amz-server-side-encryption": meta.serverSideEncryption ?? "AES256",
  };
  const algorithm = call.req.headers["x-amz-checksum-algorithm"];
  if (algorithm) headers["x-amz-checksum-algorithm"] = algorithm;
  call.audit.responseElements = { ...headers, bucket: bucket.name, key, uploadId };
  return xmlResponse(
    "InitiateMultipartUploadResult",
    { Bucket: bucket.name, Key: key, UploadId: uploadId },
    headers,
  );
};

function partNumberOf(call: S3Call): number {
  const n = Number(call.req.query.get("partNumber"));
  if (!Number.isInteger(n) || n < 1 || n > 10000) {
    throw S3Errors.invalidArgument(
      "Part number must be an integer between 1 and 10000, inclusive",
      "partNumber",
    );
  }
  return n;
}

export const uploadPart: OperationHandler = async (call, rt) => {
  rt.authorize(call, "s3:PutObject", call.key);
  const partNumber = partNumberOf(call);
  const upload = uploadOf(call, rt);
  const { blob, etag, size, checksums } = await storeBody(call, rt);
  const part: UploadedPart = {
    partNumber,
    etag,
    size,
    blob,
    lastModified: new Date(),
    checksums,
  };
  const replaced = rt.index.putPart(upload.uploadId, part);
  await rt.blobs.remove([replaced?.blob]);
  const headers: Record<string, string> = {
    etag: quoteEtag(etag),
    "x-amz-server-side-encryption": upload.meta.serverSideEncryption ?? "AES256",
  };
  for (const [alg, value] of Object.entries(checksums ?? {})) headers[`x-amz-checksum-${alg}`] = value;
  call.audit.responseElements = {
    "x-amz-server-side-encryption": headers["x-amz-server-side-encryption"] as string,
  };
  return { status: 200, headers: { ...headers, "content-length": "0" } };
};

function requestedParts(call: S3Call): { partNumber: number; etag: string }[] {
  const doc = xmlBody(call, "CompleteMultipartUpload");
  const parts = xmlList(doc.Part).map((p) => {
    if (!p || typeof p !== "object" || Array.isArray(p)) throw S3Errors.malformedXml();
    const n = Number(xmlText(p.PartNumber));
    const etag = xmlText(p.ETag);
    if (!Number.isInteger(n) || etag === undefined) throw S3Errors.malformedXml();
    return { partNumber: n, etag: unquoteEtag(etag) };
  });
  if (parts.length === 0) throw S3Errors.malformedXml();
  for (let i = 1; i < parts.length; i++) {
    if (
      (parts[i] as { partNumber: number }).partNumber <= (parts[i - 1] as { partNumber: number }).partNumber
    ) {
      throw S3Errors.invalidPartOrder();
    }
  }
  return parts;
}

function chosenParts(call: S3Call, rt: S3Runtime, upload: MultipartUpload): UploadedPart[] {
  const stored = new Map(rt.index.listParts(upload.uploadId).map((p) => [p.partNumber, p]));
  const wanted = requestedParts(call);
  return wanted.map((w, i) => {
    const part = stored.get(w.partNumber);
    if (!part || part.etag !== w.etag) throw S3Errors.invalidPart();
    if (i < wanted.length - 1 && part.size < MIN_PART_SIZE) throw S3Errors.entityTooSmall();
    return part;
  });
}

export const completeMultipartUpload: OperationHandler = async (call, rt) => {
  const key = call.key as string;
  const bucket = rt.authorize(call, "s3:PutObject", key);
  const upload = uploadOf(call, rt);
  const parts = chosenParts(call, rt, upload);
  const blob = await rt.blobs.write(async function* () {
    for (const p of parts) yield* rt.blobs.chunks(p.blob);
  });
  const digest = createHash("md5");
  for (const p of parts) digest.update(Buffer.from(p.etag, "hex"));
  const etag = `${digest.digest("hex")}-${parts.length}`;
  const size = parts.reduce((n, p) => n + p.size, 0);
  const v = await commitVersion(rt, bucket, key, {
    blob,
    size,
    etag,
    meta: { ...upload.meta, partsCount: parts.length },
  });
  await rt.blobs.remove(rt.index.deleteUpload(upload.uploadId).map((p) => p.blob));
  const headers: Record<string, string> = {
    "x-amz-server-side-encryption": upload.meta.serverSideEncryption ?? "AES256",
  };
  if (bucket.versioning) headers["x-amz-version-id"] = v.versionId;
  call.audit.responseElements = { ...headers };
  const host = call.ctx.host ?? call.req.headers.host ?? "localhost";
  return xmlResponse(
    "CompleteMultipartUploadResult",
    {
      Location: `http://${host}/${bucket.name}/${encodeURIComponent(key)}`,
      Bucket: bucket.name,
      Key: key,
      ETag: quoteEtag(etag),
    },
    headers,
  );
};

export const abortMultipartUpload: OperationHandler = async (call, rt) => {
  rt.authorize(call, "s3:AbortMultipartUpload", call.key);
  const upload = uploadOf(call, rt);
  await rt.blobs.remove(rt.index.deleteUpload(upload.uploadId).map((p) => p.blob));
  return emptyResponse(204);
};

export const listParts: OperationHandler = async (call, rt) => {
  const bucket = rt.authorize(call, "s3:ListMultipartUploadParts", call.key);
  const upload = uploadOf(call, rt);
  const marker = Number(call.req.query.get("part-number-marker") ?? "0") || 0;
  const maxParts = Math.min(Number(call.req.query.get("max-parts") ?? "1000") || 1000, 1000);
  const parts = rt.index.listParts(upload.uploadId, marker, maxParts + 1);
  const truncated = parts.length > maxParts;
  const shown = parts.slice(0, maxParts);
  return xmlResponse("ListPartsResult", {
    Bucket: bucket.name,
    Key: upload.key,
    UploadId: upload.uploadId,
    PartNumberMarker: marker,
    NextPartNumberMarker: truncated ? shown[shown.length - 1]?.partNumber : undefined,
    MaxParts: maxParts,
    IsTruncated: truncated,
    Part: shown.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: p.lastModified,
      ETag: quoteEtag(p.etag),
      Size: p.size,
    })),
  });
};
