import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import type { FieldCaps } from "../events/serialize-event.js";

/** A record the recorder refuses; capture sources map it to their own wire error. */
export class InvalidEventError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "InvalidEventError";
  }
}

/** CloudTrail's limits (reference §7): events over 256 KB are not allowed since 1.05. */
export const MAX_EVENT_BYTES = 256 * 1024;
const KB = 1024;
const STRING_CAPS: Array<[keyof CloudTrailEvent, number]> = [
  ["userAgent", KB],
  ["errorCode", KB],
  ["errorMessage", KB],
  ["requestID", KB],
];
/** Serialised-size caps of object fields, applied by serializeEvent. */
export const OBJECT_CAPS: FieldCaps = {
  requestParameters: 100 * KB,
  responseElements: 100 * KB,
  serviceEventDetails: 100 * KB,
  additionalEventData: 28 * KB,
  edgeDeviceDetails: 28 * KB,
};

const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Fields the recorder generated itself, which need no format check. */
export interface TrustedFields {
  eventTime?: boolean;
  eventID?: boolean;
}

/**
 * Checks a record from any capture source and caps oversized fields the way CloudTrail does:
 * "CloudTrail truncates a field if the field's contents exceeds the maximum field size" and
 * marks the record with `omitted: true`. Mutates and returns the event. Object fields are
 * capped while serialising (OBJECT_CAPS), so each is stringified only once.
 */
export function validateEvent(event: CloudTrailEvent, trusted: TrustedFields = {}): CloudTrailEvent {
  if (!trusted.eventTime) {
    require(TIME.test(event.eventTime), "eventTime", "eventTime must be YYYY-MM-DDTHH:MM:SSZ");
    require(!Number.isNaN(Date.parse(event.eventTime)), "eventTime", "eventTime is not a valid date");
  }
  if (!trusted.eventID) require(UUID.test(event.eventID), "eventID", "eventID must be a GUID");
  require(nonEmpty(event.awsRegion), "awsRegion", "awsRegion is required");
  require(nonEmpty(event.eventType), "eventType", "eventType is required");
  require(nonEmpty(event.eventCategory), "eventCategory", "eventCategory is required");
  // Insights events and ActivityAuditLog events (PutAuditEvents, whose caller, source and name
  // live under eventData) have no top-level eventSource, eventName or userIdentity.
  if (event.eventCategory === "ActivityAuditLog") {
    require(typeof event.eventData === "object" &&
      event.eventData !== null, "eventData", "eventData is required");
  } else if (event.eventCategory !== "Insight") {
    require(nonEmpty(event.eventSource), "eventSource", "eventSource is required");
    require(nonEmpty(event.eventName), "eventName", "eventName is required");
    require(typeof event.userIdentity === "object" &&
      event.userIdentity !== null, "userIdentity", "userIdentity is required");
  }
  let omitted = false;
  for (const [field, cap] of STRING_CAPS) {
    const v = event[field];
    // UTF-8 takes at most 3 bytes per UTF-16 unit: short strings need no byte count.
    if (typeof v === "string" && v.length * 3 > cap && Buffer.byteLength(v) > cap) {
      (event as Record<string, unknown>)[field] = truncateUtf8(v, cap);
      omitted = true;
    }
  }
  if (omitted) event.omitted = true;
  return event;
}

export function checkSize(serialized: string): void {
  if (serialized.length * 3 <= MAX_EVENT_BYTES) return; // UTF-8 needs at most 3 bytes per unit
  const size = Buffer.byteLength(serialized);
  require(size <=
    MAX_EVENT_BYTES, "event", `event is ${size} bytes; CloudTrail's limit is ${MAX_EVENT_BYTES}`);
}

function require(ok: boolean, field: string, message: string): void {
  if (!ok) throw new InvalidEventError(field, message);
}

function nonEmpty(v: unknown): boolean {
  return typeof v === "string" && v.length > 0;
}

function truncateUtf8(s: string, maxBytes: number): string {
  const buf = Buffer.from(s).subarray(0, maxBytes);
  // Drop a partial multi-byte character at the cut.
  return buf.toString("utf8").replace(/\uFFFD$/, "");
}
