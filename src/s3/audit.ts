import type { EventResource, JsonObject } from "../events/cloudtrail-event.js";
import { toUserIdentity } from "../iam/user-identity.js";
import type { AwsError } from "../protocol/errors.js";
import type { EventDraft } from "../recorder/event-sink.js";
import { bucketArn } from "./authorize.js";
import type { S3Call } from "./call.js";
import { isObjectOperation, operationInfo } from "./operation-catalog.js";

/**
 * The CloudTrail record of one S3 call, shaped like S3's own records: requestParameters are
 * bucketName, Host, the query parameters and key; additionalEventData carries SignatureVersion,
 * byte counts, AuthenticationMethod and x-amz-id-2; data events name the object (or key
 * prefix) and the bucket, management events the bucket.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-understanding-s3-entries.html
 */
export interface CallOutcome {
  error?: AwsError;
  bytesOut: number;
  hostId: string;
  secureTransport: boolean;
}

/** Query parameters that are part of a presigned URL's signature, not of the request. */
const SIGNING_PARAMS = /^x-amz-(algorithm|credential|date|expires|signedheaders|signature|security-token)$/i;

function requestParameters(call: S3Call, host: string | undefined): JsonObject {
  const out: JsonObject = {};
  if (call.bucket !== undefined) out.bucketName = call.bucket;
  if (host !== undefined) out.Host = host;
  for (const [name, value] of call.req.query) if (!SIGNING_PARAMS.test(name)) out[name] = value;
  if (call.key !== undefined) out.key = call.key;
  return { ...out, ...call.audit.requestParameters };
}

function resources(call: S3Call, category: string): EventResource[] | undefined {
  if (call.bucket === undefined) return undefined;
  const owner = call.bucketRecord?.ownerAccountId;
  const bucket: EventResource[] = owner
    ? [{ accountId: owner, type: "AWS::S3::Bucket", ARN: bucketArn(call.bucket) }]
    : [];
  if (category === "Management") return bucket.length ? bucket : undefined;
  const object: EventResource =
    isObjectOperation(call.operation) && call.key !== undefined
      ? { type: "AWS::S3::Object", ARN: bucketArn(call.bucket, call.key) }
      : ({
          type: "AWS::S3::Object",
          ARNPrefix: bucketArn(call.bucket, call.audit.prefix ?? ""),
        } as EventResource);
  return [object, ...bucket, ...call.audit.resources];
}

export function buildEventDraft(call: S3Call, outcome: CallOutcome): EventDraft {
  const { eventName, category, readOnly } = operationInfo(call.operation);
  const host = call.ctx.host ?? call.req.headers.host;
  const error = outcome.error;
  const presigned = call.req.query.has("X-Amz-Signature");
  return {
    userIdentity: toUserIdentity(call.ctx.principal),
    eventTime: call.ctx.receivedAt,
    eventSource: "s3.amazonaws.com",
    eventName,
    awsRegion: call.ctx.region,
    sourceIPAddress: call.ctx.sourceIPAddress,
    userAgent: `[${call.ctx.userAgent}]`,
    errorCode: error?.code,
    errorMessage: error?.message,
    requestParameters: requestParameters(call, host),
    responseElements: error ? null : call.audit.responseElements,
    additionalEventData: {
      SignatureVersion: "SigV4",
      bytesTransferredIn: call.body.length,
      AuthenticationMethod: presigned ? "QueryString" : "AuthHeader",
      "x-amz-id-2": outcome.hostId,
      bytesTransferredOut: outcome.bytesOut,
    },
    requestID: call.ctx.requestId,
    readOnly,
    resources: resources(call, category),
    eventType: "AwsApiCall",
    managementEvent: category === "Management",
    // The caller's copy; the bucket owner's, when it is another account, is recorded beside it.
    recipientAccountId: call.ctx.principal.accountId,
    eventCategory: category,
    tlsDetails: outcome.secureTransport && host ? { clientProvidedHostHeader: host } : undefined,
  };
}
