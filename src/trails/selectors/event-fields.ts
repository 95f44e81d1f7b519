import type { CloudTrailEvent } from "../../events/cloudtrail-event.js";

/** A compiled selector: pure, evaluated once per event on the delivery path. */
export type EventPredicate = (event: CloudTrailEvent) => boolean;

/**
 * Records written before eventVersion 1.07 have no eventCategory; managementEvent (1.06) or,
 * failing that, "management" is what CloudTrail assumed for them.
 */
export function categoryOf(event: CloudTrailEvent): string {
  if (typeof event.eventCategory === "string") return event.eventCategory;
  return event.managementEvent === false ? "Data" : "Management";
}

const SCALAR_FIELDS: Record<string, (e: CloudTrailEvent) => unknown> = {
  eventCategory: categoryOf,
  readOnly: (e) => e.readOnly,
  eventSource: (e) => e.eventSource,
  eventName: (e) => e.eventName,
  eventType: (e) => e.eventType,
  errorCode: (e) => e.errorCode,
  vpcEndpointId: (e) => e.vpcEndpointId,
  sessionCredentialFromConsole: (e) => e.sessionCredentialFromConsole,
  "userIdentity.arn": (e) => e.userIdentity?.arn,
};

/**
 * The value(s) of an advanced-selector field in an event, as strings (booleans as "true"/"false");
 * empty when the event does not have the field. Unknown dotted fields are looked up by path, so
 * event data stores can reuse the matcher for their wider field set.
 */
export function scalarFieldValues(event: CloudTrailEvent, field: string): string[] {
  const get = SCALAR_FIELDS[field];
  const value = get ? get(event) : lookupPath(event, field);
  if (value === undefined || value === null || typeof value === "object") return [];
  return [String(value)];
}

function lookupPath(event: CloudTrailEvent, path: string): unknown {
  let cur: unknown = event;
  for (const part of path.split(".")) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
