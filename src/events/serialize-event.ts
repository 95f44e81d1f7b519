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
  // Insights records put insightDetails before eventCategory (reference §2.5); others lack it.
  "insightDetails",
  "eventCategory",
  "addendum",
  "tlsDetails",
  "sessionCredentialFromConsole",
  "edgeDeviceDetails",
] as const;

const KNOWN = new Set<string>(FIELD_ORDER);

export function orderEvent(event: CloudTrailEvent): CloudTrailEvent {
  const out: Record<string, unknown> = {};
  for (const k of FIELD_ORDER) if (event[k] !== undefined) out[k] = event[k];
  for (const [k, v] of Object.entries(event)) if (!KNOWN.has(k) && v !== undefined) out[k] = v;
  return out as CloudTrailEvent;
}

/** Largest serialised size of a field; a larger value is replaced (see `serializeEvent`). */
export type FieldCaps = Partial<Record<string, number>>;

/**
 * Compact JSON in CloudTrail's field order, the form CloudTrail uses in log files and
 * CloudTrailEvent strings. A field whose JSON exceeds its cap is written as null and the record
 * gets `"omitted": true`, as CloudTrail does for oversized fields (the event object is updated
 * to match). The common case (a record smaller than the smallest cap) costs one stringify.
 */
export function serializeEvent(event: CloudTrailEvent, caps: FieldCaps = {}): string {
  const json = JSON.stringify(orderEvent(event));
  const smallest = Math.min(...(Object.values(caps) as number[]));
  if (json.length <= smallest / 4 || Buffer.byteLength(json) <= smallest) return json;
  for (const [field, cap] of Object.entries(caps)) {
    const v = event[field];
    if (v !== undefined && v !== null && Buffer.byteLength(JSON.stringify(v)) > (cap as number)) {
      (event as Record<string, unknown>)[field] = null;
      event.omitted = true;
    }
  }
  return event.omitted ? JSON.stringify(orderEvent(event)) : json;
}
