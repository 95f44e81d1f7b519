/**
 * The CloudTrail record of one gateway call, as the called service's own records look:
 * an AwsApiCall by the verified caller, with requestParameters from the operation's input
 * members, responseElements (mutating calls only) from its output, the upstream's error code
 * and message, the resources the service rules name, and the data/management category of
 * CloudTrail's data event resource types.
 */
import type { JsonObject } from "../events/cloudtrail-event.js";
import type { Principal } from "../iam/principal.js";
import { toUserIdentity } from "../iam/user-identity.js";
import type { EventDraft } from "../recorder/event-sink.js";
import { auditObject } from "./audit-shape.js";
import type { Recognized } from "./recognize.js";
import { type CallFacts, type Classification, eventSourceFor, type ServiceRules } from "./service-rules.js";

export interface CallRecord {
  rec: Recognized;
  rules: ServiceRules;
  cls: Classification;
  facts: CallFacts;
  principal: Principal;
  receivedAt: Date;
  sourceIPAddress: string;
  userAgent: string;
  requestId: string;
  error?: { code: string; message: string };
  /** Successful mutating calls: the output by member name (undefined: too large to read). */
  output?: Record<string, unknown>;
  responseHeaders?: Record<string, string>;
  bytesIn: number;
  bytesOut: number;
  presigned: boolean;
}

function redacted(rules: ServiceRules, params: JsonObject | null): JsonObject | null {
  return params && rules.redact ? rules.redact(params) : params;
}

function responseElements(c: CallRecord): JsonObject | null {
  if (c.error || c.cls.readOnly) return null;
  if (c.rules.responseElements) return c.rules.responseElements(c.facts, c.responseHeaders ?? {});
  if (!c.output) return null;
  return redacted(c.rules, auditObject(c.rec.model.shapes, c.rec.op.output, c.output));
}

export function gatewayEvent(c: CallRecord): EventDraft {
  const { rec, rules, cls } = c;
  const requestParameters = rules.requestParameters
    ? rules.requestParameters(c.facts)
    : redacted(rules, auditObject(rec.model.shapes, rec.op.input, c.facts.input));
  // A mutating call's output too large to read is left out, as CloudTrail marks capped fields.
  const omitted =
    !c.error && !cls.readOnly && c.output === undefined && !rules.responseElements && hasOutput(rec);
  const draft: EventDraft = {
    userIdentity: toUserIdentity(c.principal),
    eventTime: c.receivedAt,
    eventSource: eventSourceFor(rec.model.metadata.endpointPrefix, rules),
    eventName: cls.eventName,
    awsRegion: c.facts.region,
    sourceIPAddress: c.sourceIPAddress,
    userAgent: rules.userAgent ? rules.userAgent(c.userAgent) : c.userAgent,
    errorCode: c.error?.code,
    errorMessage: c.error ? c.error.message : undefined,
    requestParameters,
    responseElements: responseElements(c),
    additionalEventData: rules.additionalEventData?.({
      bytesIn: c.bytesIn,
      bytesOut: c.bytesOut,
      presigned: c.presigned,
    }),
    requestID: c.requestId,
    readOnly: cls.readOnly,
    resources: rules.resources?.(c.facts),
    eventType: "AwsApiCall",
    apiVersion: rules.apiVersion ? rec.model.metadata.apiVersion : undefined,
    managementEvent: cls.category === "Management",
    recipientAccountId: c.principal.accountId,
    eventCategory: cls.category,
  };
  if (omitted) draft.omitted = true;
  return draft;
}

/** Whether the operation's output has members in the body worth reading. */
export function hasOutput(rec: Recognized): boolean {
  const members = rec.op.output?.members ?? {};
  return Object.values(members).some((m) => !m.location);
}
