import type { CloudTrailEvent } from "./cloudtrail-event.js";

/**
 * CloudTrail's field order (reference §2.3). Log files and LookupEvents' CloudTrailEvent string
 * are compared byte-wise by people and tools, so records are always written in this order;
 * fields CloudTrail does not define keep their own order after these.
 */
export const FIELD_ORDER = [
  "eventVersion",
  "userIdentity",
  "eventTime",
  "eventSource",
  "eventName",
  "awsRegion",
  "sourceIPAddress",
  "userAgent",
  "errorCode",
  "errorMessage",
  "requestParameters",
  "responseElements",
  "additionalEventData",
  "requestID",
  "eventID",
  "readOnly",
  "resources",
  "eventType",
  "apiVersion",
  "managementEvent",
  "recipientAccountId",
  "serviceEventDetails",
  "sharedEventID",
  "vpcEndpointId",
  "vpcEndpointAccountId",
  "eventCategory",
  "addendum",
  "tlsDetails",
  "sessionCredentialFromConsole",
  "edgeDeviceDetails",
  "insightDetails",
] as const;

const KNOWN = new Set<string>(FIELD_ORDER);

export function orderEvent(event: CloudTrailEvent): CloudTrailEvent {
  const out: Record<string, unknown> = {};
  for (const k of FIELD_ORDER) if (event[k] !== undefined) out[k] = event[k];
  for (const [k, v] of Object.entries(event)) if (!KNOWN.has(k) && v !== undefined) out[k] = v;
  return out as CloudTrailEvent;
}

/** Compact JSON, the form CloudTrail uses in log files and CloudTrailEvent strings. */
export function serializeEvent(event: CloudTrailEvent): string {
  return JSON.stringify(orderEvent(event));
}
