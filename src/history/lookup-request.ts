import type { LookupEventsRequest } from "@aws-sdk/client-cloudtrail";
import { LookupErrors } from "./lookup-errors.js";
import { Kind } from "./posting-keys.js";

/** LookupAttributeKey → index kind; the eight keys CloudTrail accepts. */
export const ATTRIBUTE_KINDS: Readonly<Record<string, Kind>> = {
  EventId: Kind.EventId,
  EventName: Kind.EventName,
  ReadOnly: Kind.ReadOnly,
  Username: Kind.Username,
  ResourceType: Kind.ResourceType,
  ResourceName: Kind.ResourceName,
  EventSource: Kind.EventSource,
  AccessKeyId: Kind.AccessKeyId,
};

/** For Insights events CloudTrail supports only these lookup attributes. */
const INSIGHT_KEYS = new Set(["EventId", "EventName", "EventSource"]);

export const DEFAULT_WINDOW_DAYS = 90;
export const MAX_RESULTS = 50;
const MAX_ATTRIBUTE_LENGTH = 2000;
const DAY_MS = 86_400_000;
/** Latest instant a timestamp may denote (9999-12-31T23:59:59.999Z). */
const MAX_TIME_MS = 253_402_300_799_999;

export interface LookupAttributeFilter {
  key: string;
  kind: Kind;
  value: string;
}

/** A validated LookupEvents request. */
export interface LookupPlan {
  attributes: LookupAttributeFilter[];
  insight: boolean;
  /** Inclusive bounds in whole seconds (eventTime has second precision). */
  startT: number;
  endT: number;
  maxResults: number;
  nextToken: string | undefined;
  /** Canonical text of the parameters a NextToken is bound to (the scope is added by the caller). */
  binding: string;
}

export interface LookupSettings {
  /** Allow several lookup attributes, combined with AND (CloudTrail allows exactly one). */
  combineAttributes: boolean;
}

/**
 * AttributeValue's length as CloudTrail counts it: 1 to 2000, where underscore, space, comma and
 * newline count twice (API reference, LookupAttribute).
 */
export function attributeValueLength(value: string): number {
  let n = value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 95 || c === 32 || c === 44 || c === 10) n++;
  }
  return n;
}

function parseAttributes(input: LookupEventsRequest, settings: LookupSettings): LookupAttributeFilter[] {
  const raw: unknown = input.LookupAttributes;
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw LookupErrors.invalidLookupAttributes("LookupAttributes must be a list.");
  const out: LookupAttributeFilter[] = [];
  for (const item of raw as unknown[]) {
    const { AttributeKey: key, AttributeValue: value } = (item ?? {}) as Record<string, unknown>;
    const kind =
      typeof key === "string" && Object.hasOwn(ATTRIBUTE_KINDS, key) ? ATTRIBUTE_KINDS[key] : undefined;
    if (kind === undefined) {
      throw LookupErrors.invalidLookupAttributes(
        `Invalid AttributeKey ${JSON.stringify(key ?? null)}. Valid keys: ${Object.keys(ATTRIBUTE_KINDS).join(", ")}.`,
      );
    }
    if (typeof value !== "string" || value.length === 0) {
      throw LookupErrors.invalidLookupAttributes(`AttributeValue for ${key} must not be empty.`);
    }
    if (attributeValueLength(value) > MAX_ATTRIBUTE_LENGTH) {
      throw LookupErrors.invalidLookupAttributes(
        `AttributeValue for ${key} is too long: the maximum length is ${MAX_ATTRIBUTE_LENGTH} characters.`,
      );
    }
    if (kind === Kind.ReadOnly && value !== "true" && value !== "false") {
      throw LookupErrors.invalidLookupAttributes(`AttributeValue for ReadOnly must be "true" or "false".`);
    }
    out.push({ key: key as string, kind, value });
  }
  if (out.length > 1 && !settings.combineAttributes) {
    throw LookupErrors.invalidLookupAttributes(
      `You specified ${out.length} lookup attributes; LookupEvents accepts at most one lookup attribute per request.`,
    );
  }
  return out;
}

function parseCategory(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (value === "insight") return true;
  throw LookupErrors.invalidEventCategory(value);
}

function timeMs(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value * 1000 : Number.NaN;
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TIME_MS) {
    throw LookupErrors.invalidTimeRange(`${name} is outside the range of possible values.`);
  }
  return ms;
}

function parseMaxResults(value: unknown): number {
  if (value === undefined || value === null) return MAX_RESULTS;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > MAX_RESULTS) {
    throw LookupErrors.invalidMaxResults(value);
  }
  return value;
}

/**
 * Validates a LookupEvents request the way CloudTrail does and resolves its defaults: the last
 * 90 days up to `now`, 50 results, management events.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 */
export function parseLookupRequest(
  input: LookupEventsRequest,
  settings: LookupSettings,
  now: Date,
): LookupPlan {
  const request = input ?? {};
  const attributes = parseAttributes(request, settings);
  const insight = parseCategory(request.EventCategory);
  const unsupported = insight ? attributes.find((a) => !INSIGHT_KEYS.has(a.key)) : undefined;
  if (unsupported) {
    throw LookupErrors.invalidLookupAttributes(
      `AttributeKey ${unsupported.key} is not supported for Insights events; use EventId, EventName or EventSource.`,
    );
  }
  const start = timeMs(request.StartTime, "StartTime");
  const end = timeMs(request.EndTime, "EndTime");
  // Defaults never make a range invalid: only an explicit StartTime after an explicit EndTime is.
  const endMs = end ?? Math.max(now.getTime(), start ?? 0);
  const startMs = start ?? Math.min(now.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS, endMs);
  if (startMs > endMs) {
    throw LookupErrors.invalidTimeRange("The start time must be earlier than or equal to the end time.");
  }
  const maxResults = parseMaxResults(request.MaxResults);
  const token = request.NextToken;
  return {
    attributes,
    insight,
    startT: Math.ceil(startMs / 1000),
    endT: Math.floor(endMs / 1000),
    maxResults,
    nextToken: typeof token === "string" && token.length > 0 ? token : undefined,
    binding: JSON.stringify([attributes.map((a) => [a.key, a.value]), start ?? null, end ?? null, insight]),
  };
}
