import type { JsonObject } from "../../events/cloudtrail-event.js";
import { PolicyError } from "../../iam/policy/index.js";
import type { OperationHandler } from "../call.js";
import { S3Errors } from "../errors.js";
import { emptyResponse } from "../responses.js";
import { parseBucketPolicy } from "../runtime.js";

/**
 * Put/Get/DeleteBucketPolicy. A policy is parsed and validated when submitted; the document is
 * kept as sent and returned unchanged.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketPolicy.html
 */
const MAX_POLICY_BYTES = 20 * 1024;

export const putBucketPolicy: OperationHandler = async (call, rt) => {
  const bucket = rt.authorize(call, "s3:PutBucketPolicy");
  const text = call.body.toString("utf8");
  if (call.body.length > MAX_POLICY_BYTES) throw S3Errors.malformedPolicy("Policies must be less than 20 KB");
  try {
    parseBucketPolicy(bucket.name, text);
  } catch (e) {
    if (e instanceof PolicyError) throw S3Errors.malformedPolicy(e.message);
    throw e;
  }
  call.audit.requestParameters = {
    bucketPolicy: JSON.parse(text) as JsonObject,
    ...call.audit.requestParameters,
  };
  rt.index.updateBucket(bucket.name, { policy: text });
  return emptyResponse(204);
};

export const getBucketPolicy: OperationHandler = async (call, rt) => {
  const bucket = rt.authorize(call, "s3:GetBucketPolicy");
  if (!bucket.policy) throw S3Errors.noSuchBucketPolicy(bucket.name);
  const body = Buffer.from(bucket.policy, "utf8");
  return {
    status: 200,
    headers: { "content-type": "application/json", "content-length": String(body.length) },
    body,
  };
};

export const deleteBucketPolicy: OperationHandler = async (call, rt) => {
  const bucket = rt.authorize(call, "s3:DeleteBucketPolicy");
  rt.index.updateBucket(bucket.name, { policy: undefined });
  return emptyResponse(204);
};
