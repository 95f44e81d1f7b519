import type { Event } from "@aws-sdk/client-cloudtrail";
import type { CloudTrailEvent, UserIdentity } from "../events/cloudtrail-event.js";
import { parseIsoSeconds } from "./codec-literals.js";

/** What event history shows and indexes of one record. */
export interface EventFields {
  eventId: string;
  /** eventTime in whole seconds since the epoch (the order key, with the log seq). */
  time: number;
  category: EventHistoryCategory;
  account: string;
  region: string;
  eventName?: string;
  eventSource?: string;
  username?: string;
  accessKeyId?: string;
  readOnly?: boolean;
  resources: Array<{ type?: string; name?: string }>;
}

/** Event history keeps management events and Insights events, nothing else. */
export type EventHistoryCategory = "management" | "insight";

function text(v: unknown): string | undefined {
  return typeof v === "string" && v.length > 0 ? v : undefined;
}

function categoryOf(record: CloudTrailEvent): EventHistoryCategory | undefined {
  switch (record.eventCategory) {
    case "Management":
      return "management";
    case "Insight":
      return "insight";
    case undefined:
      // Records older than eventVersion 1.07 have no eventCategory.
      if (record.eventType === "AwsCloudTrailInsight") return "insight";
      return record.managementEvent === false ? undefined : "management";
    default:
      return undefined;
  }
}

/**
 * The user name event history shows: "root" for the root user; for assumed roles and federated
 * users the session name, i.e. the last part of the `assumed-role/<role>/<session>` or
 * `federated-user/<name>` ARN (what the console shows), falling back to the part of the
 * principalId after ":"; otherwise userIdentity.userName.
 */
export function usernameOf(identity: UserIdentity | undefined): string | undefined {
  if (!identity) return undefined;
  if (identity.type === "Root") return "root";
  const arn = text(identity.arn);
  if (arn && (arn.includes(":assumed-role/") || arn.includes(":federated-user/"))) {
    return text(arn.slice(arn.lastIndexOf("/") + 1));
  }
  const principal = text(identity.principalId);
  if ((identity.type === "AssumedRole" || identity.type === "FederatedUser") && principal?.includes(":")) {
    return text(principal.slice(principal.indexOf(":") + 1));
  }
  return text(identity.userName);
}

function insightDetail(record: CloudTrailEvent, key: "eventName" | "eventSource"): string | undefined {
  const details = record.insightDetails;
  return details && typeof details === "object" ? text((details as Record<string, unknown>)[key]) : undefined;
}

/** Date.parse, with a fast path for CloudTrail's canonical form (2024-01-01T00:00:00Z). */
function eventTimeMs(s: string): number {
  const seconds = parseIsoSeconds(s);
  return seconds === undefined ? Date.parse(s) : seconds * 1000;
}

/**
 * The indexed fields of a record, or undefined if event history does not keep it (data and
 * network activity events, records without eventID, eventTime, region or recipient account).
 */
export function eventFields(record: CloudTrailEvent): EventFields | undefined {
  if (!record || typeof record !== "object") return undefined;
  const category = categoryOf(record);
  const eventId = text(record.eventID);
  const ms = typeof record.eventTime === "string" ? eventTimeMs(record.eventTime) : Number.NaN;
  const account = text(record.recipientAccountId) ?? text(record.userIdentity?.accountId);
  const region = text(record.awsRegion);
  if (!category || !eventId || !Number.isFinite(ms) || !account || !region) return undefined;
  const resources: EventFields["resources"] = [];
  if (Array.isArray(record.resources)) {
    for (const r of record.resources) {
      if (r && typeof r === "object") resources.push({ type: text(r.type), name: text(r.ARN) });
    }
  }
  return {
    eventId,
    time: Math.floor(ms / 1000),
    category,
    account,
    region,
    eventName: text(record.eventName) ?? insightDetail(record, "eventName"),
    eventSource: text(record.eventSource) ?? insightDetail(record, "eventSource"),
    username: usernameOf(record.userIdentity),
    accessKeyId: text(record.userIdentity?.accessKeyId),
    readOnly: typeof record.readOnly === "boolean" ? record.readOnly : undefined,
    resources,
  };
}

/** The LookupEvents `Event` for a stored record; `json` is the record exactly as stored. */
export function toLookupEvent(fields: EventFields, record: CloudTrailEvent, json: string): Event {
  const event: Event = { EventId: fields.eventId };
  if (fields.eventName !== undefined) event.EventName = fields.eventName;
  if (fields.readOnly !== undefined) event.ReadOnly = String(fields.readOnly);
  if (fields.accessKeyId !== undefined) event.AccessKeyId = fields.accessKeyId;
  event.EventTime = new Date(eventTimeMs(record.eventTime));
  if (fields.eventSource !== undefined) event.EventSource = fields.eventSource;
  if (fields.username !== undefined) event.Username = fields.username;
  event.Resources = fields.resources.map((r) => {
    const out: { ResourceType?: string; ResourceName?: string } = {};
    if (r.type !== undefined) out.ResourceType = r.type;
    if (r.name !== undefined) out.ResourceName = r.name;
    return out;
  });
  event.CloudTrailEvent = json;
  return event;
}
