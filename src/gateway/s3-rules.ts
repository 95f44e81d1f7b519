/**
 * S3's records differ from the JSON services': requestParameters are bucketName, Host, the
 * query parameters and key; responseElements are response headers; additionalEventData
 * carries the byte counts; the user agent is bracketed; object-level calls (and the listing
 * calls) are data events naming the object and the bucket. The classification is the built-in
 * store's own (src/s3/operation-catalog.ts); record shapes follow src/s3/audit.ts.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html
 */
import type { EventResource, JsonObject } from "../events/cloudtrail-event.js";
import { S3_DATA_OPERATIONS, S3_PREFIX_OPERATIONS } from "../s3/index.js";
import type { CallFacts, ServiceRules } from "./service-rules.js";

// One classification for S3, shared with the built-in store.
const DATA = S3_DATA_OPERATIONS;
const PREFIX_CALLS = S3_PREFIX_OPERATIONS;

/** Query parameters that belong to a presigned URL's signature, not to the request. */
const SIGNING_PARAMS = /^x-amz-(algorithm|credential|date|expires|signedheaders|signature|security-token)$/i;

/** Response headers S3 reports in responseElements. */
const RESPONSE_HEADERS = [
  "x-amz-version-id",
  "x-amz-server-side-encryption",
  "x-amz-server-side-encryption-aws-kms-key-id",
  "x-amz-expiration",
  "x-amz-delete-marker",
];

const bucketOf = (f: CallFacts) => (typeof f.input.Bucket === "string" ? f.input.Bucket : undefined);
const keyOf = (f: CallFacts) => (typeof f.input.Key === "string" ? f.input.Key : undefined);

function resources(f: CallFacts): EventResource[] | undefined {
  const bucket = bucketOf(f);
  if (bucket === undefined) return undefined;
  const owned: EventResource = {
    accountId: f.accountId,
    type: "AWS::S3::Bucket",
    ARN: `arn:aws:s3:::${bucket}`,
  };
  if (!DATA.includes(f.operation)) return [owned];
  const key = keyOf(f);
  const prefix = f.query.get("prefix") ?? "";
  const object: EventResource =
    !PREFIX_CALLS.has(f.operation) && key !== undefined
      ? { type: "AWS::S3::Object", ARN: `arn:aws:s3:::${bucket}/${key}` }
      : { type: "AWS::S3::Object", ARNPrefix: `arn:aws:s3:::${bucket}/${prefix}` };
  return [object, owned];
}

export const S3_RULES: ServiceRules = {
  dataEvents: { resourceType: "AWS::S3::Object", operations: DATA },
  eventNames: {
    GetObjectLockConfiguration: "GetBucketObjectLockConfiguration",
    PutObjectLockConfiguration: "PutBucketObjectLockConfiguration",
    ListObjectsV2: "ListObjects",
    GetBucketAccelerateConfiguration: "GetAccelerateConfiguration",
    PutBucketAccelerateConfiguration: "PutAccelerateConfiguration",
  },
  resources,
  requestParameters(f) {
    const out: JsonObject = {};
    const bucket = bucketOf(f);
    if (bucket !== undefined) out.bucketName = bucket;
    if (f.host !== undefined) out.Host = f.host;
    for (const [name, value] of f.query) if (!SIGNING_PARAMS.test(name)) out[name] = value;
    const key = keyOf(f);
    if (key !== undefined) out.key = key;
    return out;
  },
  responseElements(_f, headers) {
    const out: JsonObject = {};
    for (const h of RESPONSE_HEADERS) if (headers[h] !== undefined) out[h] = headers[h];
    return Object.keys(out).length > 0 ? out : null;
  },
  additionalEventData: ({ bytesIn, bytesOut, presigned }) => ({
    SignatureVersion: "SigV4",
    bytesTransferredIn: bytesIn,
    AuthenticationMethod: presigned ? "QueryString" : "AuthHeader",
    bytesTransferredOut: bytesOut,
  }),
  userAgent: (ua) => `[${ua}]`,
};
