import { createHash } from "node:crypto";
import { isIP } from "node:net";
import type { EventDraft } from "../../recorder/event-sink.js";
import type { ChannelRecord } from "./channel-model.js";

/** One entry of PutAuditEvents' `auditEvents`. */
export interface AuditEventEntry {
  id: string;
  eventData: string;
  eventDataChecksum?: string;
}

/** Per-event failure codes of PutAuditEvents (reference §1.6). */
export type AuditEventErrorCode =
  | "FieldTooLong"
  | "FieldNotFound"
  | "InvalidChecksum"
  | "InvalidData"
  | "InvalidRecipient"
  | "InvalidEventSource"
  | "AccountNotSubscribed"
  | "Throttling"
  | "InternalFailure";

export class AuditEventError extends Error {
  constructor(
    readonly code: AuditEventErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const KB = 1024;
/** String fields of eventData with their maximum lengths; `*` marks required ones. */
const STRING_FIELDS: Array<[string, number, boolean]> = [
  ["version", 256, true],
  ["userAgent", 1024, false],
  ["eventSource", 1024, true],
  ["eventName", 1024, true],
  ["eventTime", 64, true],
  ["UID", 1024, true],
  ["errorCode", 256, false],
  ["errorMessage", 256, false],
  ["sourceIPAddress", 64, false],
  ["recipientAccountId", 12, true],
];
const OBJECT_FIELDS: Array<[string, number]> = [
  ["requestParameters", 100 * KB],
  ["responseElements", 100 * KB],
  ["additionalEventData", 28 * KB],
];
const EVENT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$/;

/**
 * Checks one audit event against the integration event schema
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-integration-event-schema.html)
 * and builds the stored ActivityAuditLog record. Throws an AuditEventError with the per-event
 * code CloudTrail uses; the caller reports it in `failed` and goes on with the batch.
 */
export function auditEventDraft(
  entry: AuditEventEntry,
  channel: ChannelRecord,
  ingestedAt: Date,
): EventDraft {
  if (entry.eventDataChecksum !== undefined) {
    const actual = createHash("sha256").update(entry.eventData, "utf8").digest("base64");
    if (actual !== entry.eventDataChecksum)
      throw new AuditEventError(
        "InvalidChecksum",
        "The eventDataChecksum does not match the SHA-256 of eventData.",
      );
  }
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(entry.eventData) as Record<string, unknown>;
  } catch {
    throw new AuditEventError("InvalidData", "eventData is not valid JSON.");
  }
  if (!data || typeof data !== "object" || Array.isArray(data))
    throw new AuditEventError("InvalidData", "eventData must be a JSON object.");
  checkFields(data);
  if (data.recipientAccountId !== channel.accountId)
    throw new AuditEventError(
      "InvalidRecipient",
      `recipientAccountId must be the channel owner's account ${channel.accountId}.`,
    );
  if (/\.amazonaws\.com$/i.test(String(data.eventSource)))
    throw new AuditEventError("InvalidEventSource", "eventSource must not be an AWS service's source.");
  const time = new Date(String(data.eventTime).endsWith("Z") ? String(data.eventTime) : `${data.eventTime}Z`);
  if (!EVENT_TIME.test(String(data.eventTime)) || Number.isNaN(time.getTime()))
    throw new AuditEventError("InvalidData", "eventTime must be yyyy-MM-DDTHH:mm:ss in UTC.");
  if (data.sourceIPAddress !== undefined && isIP(String(data.sourceIPAddress)) === 0)
    throw new AuditEventError("InvalidData", "sourceIPAddress must be an IPv4 or IPv6 address.");
  return {
    eventTime: time,
    awsRegion: channel.region,
    eventType: "ActivityLog",
    eventCategory: "ActivityAuditLog",
    recipientAccountId: channel.accountId,
    metadata: { ingestionTime: formatTime(ingestedAt), channelARN: channel.arn },
    eventData: data,
  } as EventDraft;
}

function checkFields(data: Record<string, unknown>): void {
  const identity = data.userIdentity as Record<string, unknown> | undefined;
  if (!identity || typeof identity !== "object")
    throw new AuditEventError("FieldNotFound", "eventData.userIdentity is required.");
  for (const [field, max] of [
    ["type", 128],
    ["principalId", 1024],
  ] as const) {
    const v = identity[field];
    if (typeof v !== "string" || v.length === 0)
      throw new AuditEventError("FieldNotFound", `eventData.userIdentity.${field} is required.`);
    if (v.length > max)
      throw new AuditEventError("FieldTooLong", `eventData.userIdentity.${field} is over ${max} characters.`);
  }
  for (const [field, max, required] of STRING_FIELDS) {
    const v = data[field];
    if (v === undefined || v === null || v === "") {
      if (required) throw new AuditEventError("FieldNotFound", `eventData.${field} is required.`);
      continue;
    }
    if (typeof v !== "string")
      throw new AuditEventError("InvalidData", `eventData.${field} must be a string.`);
    if (v.length > max)
      throw new AuditEventError("FieldTooLong", `eventData.${field} is over ${max} characters.`);
  }
  for (const [field, max] of OBJECT_FIELDS) {
    const v = data[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== "object" || Array.isArray(v))
      throw new AuditEventError("InvalidData", `eventData.${field} must be a JSON object.`);
    if (Buffer.byteLength(JSON.stringify(v)) > max)
      throw new AuditEventError("FieldTooLong", `eventData.${field} is over ${max / KB} KB.`);
  }
}

function formatTime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}
