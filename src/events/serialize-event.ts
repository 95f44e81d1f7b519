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

/**
 * The record's fields in CloudTrail's order. Every event goes through here, so the fields are
 * written out with static property names: a keyed loop over FIELD_ORDER cost more than the
 * JSON.stringify that follows. A test holds this list and FIELD_ORDER together.
 */
export function orderEvent(d: Readonly<CloudTrailEvent>, owned?: OwnedFields): CloudTrailEvent {
  // The recorder passes the fields it owns separately, so that the draft is copied only once.
  const f: OwnedFields | Readonly<CloudTrailEvent> = owned ?? d;
  const o = {} as CloudTrailEvent;
  if (f.eventVersion !== undefined) o.eventVersion = f.eventVersion;
  if (d.userIdentity !== undefined) o.userIdentity = d.userIdentity;
  if (f.eventTime !== undefined) o.eventTime = f.eventTime;
  if (d.eventSource !== undefined) o.eventSource = d.eventSource;
  if (d.eventName !== undefined) o.eventName = d.eventName;
  if (d.awsRegion !== undefined) o.awsRegion = d.awsRegion;
  if (d.sourceIPAddress !== undefined) o.sourceIPAddress = d.sourceIPAddress;
  if (d.userAgent !== undefined) o.userAgent = d.userAgent;
  if (d.errorCode !== undefined) o.errorCode = d.errorCode;
  if (d.errorMessage !== undefined) o.errorMessage = d.errorMessage;
  if (d.requestParameters !== undefined) o.requestParameters = d.requestParameters;
  if (d.responseElements !== undefined) o.responseElements = d.responseElements;
  if (d.additionalEventData !== undefined) o.additionalEventData = d.additionalEventData;
  if (d.requestID !== undefined) o.requestID = d.requestID;
  if (f.eventID !== undefined) o.eventID = f.eventID;
  if (d.readOnly !== undefined) o.readOnly = d.readOnly;
  if (d.resources !== undefined) o.resources = d.resources;
  if (d.eventType !== undefined) o.eventType = d.eventType;
  if (d.apiVersion !== undefined) o.apiVersion = d.apiVersion;
  if (d.managementEvent !== undefined) o.managementEvent = d.managementEvent;
  if (f.recipientAccountId !== undefined) o.recipientAccountId = f.recipientAccountId;
  if (d.serviceEventDetails !== undefined) o.serviceEventDetails = d.serviceEventDetails;
  if (d.sharedEventID !== undefined) o.sharedEventID = d.sharedEventID;
  if (d.vpcEndpointId !== undefined) o.vpcEndpointId = d.vpcEndpointId;
  if (d.vpcEndpointAccountId !== undefined) o.vpcEndpointAccountId = d.vpcEndpointAccountId;
  if (d.insightDetails !== undefined) o.insightDetails = d.insightDetails;
  if (d.eventCategory !== undefined) o.eventCategory = d.eventCategory;
  if (d.addendum !== undefined) o.addendum = d.addendum;
  if (d.tlsDetails !== undefined) o.tlsDetails = d.tlsDetails;
  if (d.sessionCredentialFromConsole !== undefined)
    o.sessionCredentialFromConsole = d.sessionCredentialFromConsole;
  if (d.edgeDeviceDetails !== undefined) o.edgeDeviceDetails = d.edgeDeviceDetails;
  for (const k in d) if (!KNOWN.has(k) && d[k] !== undefined) o[k] = d[k];
  return o;
}

/** The fields the recorder fills in every record (see EventDraft). */
export interface OwnedFields {
  eventVersion: string;
  eventTime: string;
  eventID: string;
  recipientAccountId: string | undefined;
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
  return capFields(event, caps, JSON.stringify(orderEvent(event)));
}

/** serializeEvent for an event that is already in CloudTrail's order (made by orderEvent). */
export function serializeOrderedEvent(event: CloudTrailEvent, caps: FieldCaps = {}): string {
  return capFields(event, caps, JSON.stringify(event));
}

function capFields(event: CloudTrailEvent, caps: FieldCaps, json: string): string {
  const smallest = smallestCap(caps);
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

const smallestCaps = new WeakMap<FieldCaps, number>();

function smallestCap(caps: FieldCaps): number {
  let smallest = smallestCaps.get(caps);
  if (smallest === undefined) {
    smallest = Math.min(...(Object.values(caps) as number[]));
    smallestCaps.set(caps, smallest);
  }
  return smallest;
}
