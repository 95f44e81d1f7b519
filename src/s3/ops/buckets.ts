import { escapeXml, S3_XMLNS } from "../../protocol/rest-xml.js";
import type { RawResponse } from "../../server/raw-http.js";
import type { OperationHandler, S3Call } from "../call.js";
import { S3Errors } from "../errors.js";
import type { BucketRecord } from "../model.js";
import { assertBucketName } from "../names.js";
import { canonicalUserId, emptyResponse, ownerOf, xmlResponse } from "../responses.js";
import { textField, xmlBody } from "./request-body.js";

/** Bucket lifecycle: ListBuckets, CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation, GetBucketAcl. */
export const listBuckets: OperationHandler = async (call, rt) => {
  const owner = call.ctx.principal.accountId;
  const buckets = rt.index.listBuckets(owner);
  return xmlResponse("ListAllMyBucketsResult", {
    Owner: ownerOf(owner),
    Buckets: {
      Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: b.creationDate, BucketRegion: b.region })),
    },
  });
};

function locationConstraint(call: S3Call): string | undefined {
  if (call.body.length === 0) return undefined;
  const conf = xmlBody(call, "CreateBucketConfiguration");
  const location = textField(conf, "LocationConstraint");
  call.audit.requestParameters.CreateBucketConfiguration = {
    LocationConstraint: location ?? "",
    xmlns: S3_XMLNS,
  };
  return location || undefined;
}

export const createBucket: OperationHandler = async (call, rt) => {
  const name = call.bucket ?? "";
  assertBucketName(name);
  const region = locationConstraint(call) ?? call.ctx.region ?? rt.defaultRegion;
  const lock = (call.req.headers["x-amz-bucket-object-lock-enabled"] ?? "").toLowerCase() === "true";
  const record: BucketRecord = {
    name,
    ownerAccountId: call.ctx.principal.accountId,
    region,
    creationDate: new Date(),
    objectLockEnabled: lock,
    versioning: lock ? "Enabled" : undefined,
  };
  if (!rt.index.insertBucket(record)) {
    const existing = rt.index.getBucket(name);
    if (existing?.ownerAccountId === record.ownerAccountId) throw S3Errors.bucketAlreadyOwnedByYou(name);
    throw S3Errors.bucketAlreadyExists(name);
  }
  call.bucketRecord = record;
  return emptyResponse(200, { location: `/${name}` });
};

export const deleteBucket: OperationHandler = async (call, rt) => {
  const bucket = rt.authorize(call, "s3:DeleteBucket");
  if (rt.index.hasVersions(bucket.name)) throw S3Errors.bucketNotEmpty(bucket.name);
  await rt.blobs.remove(rt.index.deleteBucket(bucket.name));
  return emptyResponse(204);
};

export const headBucket: OperationHandler = async (call, rt) => {
  const bucket = rt.authorize(call, "s3:ListBucket");
  return emptyResponse(200, { "x-amz-bucket-region": bucket.region, "x-amz-access-point-alias": "false" });
};

function rawXml(xml: string): RawResponse {
  const body = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`, "utf8");
  return {
    status: 200,
    headers: { "content-type": "application/xml", "content-length": String(body.length) },
    body,
  };
}

/** us-east-1 is the empty LocationConstraint, as S3 answers it. */
export const getBucketLocation: OperationHandler = async (call, rt) => {
  const bucket = rt.authorize(call, "s3:GetBucketLocation");
  const location = bucket.region === "us-east-1" ? "" : escapeXml(bucket.region);
  return rawXml(`<LocationConstraint xmlns="${S3_XMLNS}">${location}</LocationConstraint>`);
};

/** The owner has FULL_CONTROL; OpenTrail has no other ACL grants (ACLs are disabled, as on new S3 buckets). */
export const getBucketAcl: OperationHandler = async (call, rt) => {
  const bucket = rt.authorize(call, "s3:GetBucketAcl");
  const id = canonicalUserId(bucket.ownerAccountId);
  const owner = `<ID>${id}</ID><DisplayName>${escapeXml(bucket.ownerAccountId)}</DisplayName>`;
  return rawXml(
    `<AccessControlPolicy xmlns="${S3_XMLNS}"><Owner>${owner}</Owner><AccessControlList><Grant>` +
      `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">${owner}</Grantee>` +
      "<Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>",
  );
};
