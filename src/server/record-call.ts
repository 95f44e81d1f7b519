import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import { toUserIdentity } from "../iam/user-identity.js";
import type { AwsError } from "../protocol/errors.js";
import { recordWithOwnerCopy } from "../recorder/cross-account.js";
import type { EventDraft, EventSink } from "../recorder/event-sink.js";
import type { RequestContext } from "./request-context.js";
import type { ServiceAudit } from "./service-audit.js";

export interface CallOutcome {
  operation: string;
  input: Record<string, unknown>;
  output?: Record<string, unknown>;
  error?: AwsError;
}

/**
 * Records one API call as CloudTrail records calls to AWS's own APIs: an AwsApiCall
 * management event attributed to the verified caller. Resolves when the record is durable;
 * the edge answers only after that. A call that reached another account's resource
 * (ctx.resourceAccountId) is recorded once for each account, under one sharedEventID; the
 * caller's copy is returned.
 */
export async function recordCall(
  sink: EventSink,
  audit: ServiceAudit,
  ctx: RequestContext,
  call: CallOutcome,
): Promise<CloudTrailEvent | undefined> {
  if (audit.isRecorded && !audit.isRecorded(call.operation)) return undefined;
  const category = audit.category?.(call.operation) ?? "Management";
  const ok = !call.error;
  const draft: EventDraft = {
    userIdentity: toUserIdentity(ctx.principal),
    eventTime: ctx.receivedAt,
    eventSource: audit.eventSource,
    eventName: call.operation,
    awsRegion: ctx.region,
    sourceIPAddress: ctx.sourceIPAddress,
    userAgent: ctx.userAgent,
    errorCode: call.error?.code,
    errorMessage: call.error?.message,
    requestParameters: audit.requestParameters(call.operation, call.input),
    responseElements:
      ok && call.output ? audit.responseElements(call.operation, call.input, call.output) : null,
    requestID: ctx.requestId,
    readOnly: audit.isReadOnly(call.operation),
    resources: audit.resources?.(call.operation, call.input, call.output, ctx),
    eventType: "AwsApiCall",
    managementEvent: category === "Management",
    recipientAccountId: ctx.principal.accountId,
    eventCategory: category,
  };
  return recordWithOwnerCopy(sink, draft, ctx.resourceAccountId);
}
