import { ApiError, cloudtrail } from "../api.js";

/** LookupEvents' Event, times in epoch seconds as on the wire. */
export interface LookupEvent {
  EventId?: string;
  EventName?: string;
  ReadOnly?: string;
  AccessKeyId?: string;
  EventTime?: number;
  EventSource?: string;
  Username?: string;
  Resources?: Array<{ ResourceType?: string; ResourceName?: string }>;
  CloudTrailEvent?: string;
}

export const ATTRIBUTE_KEYS = [
  "EventName",
  "Username",
  "ResourceName",
  "ResourceType",
  "EventSource",
  "EventId",
  "AccessKeyId",
  "ReadOnly",
] as const;
export type AttributeKey = (typeof ATTRIBUTE_KEYS)[number];
export type Attribute = [AttributeKey, string];

export interface LookupQuery {
  attributes: Attribute[];
  StartTime?: number;
  EndTime?: number;
  insight?: boolean;
}

export interface LookupPage {
  events: LookupEvent[];
  next?: string;
  /** Attributes after the first were applied in the browser (the server takes one). */
  filteredHere: boolean;
}

/**
 * CloudTrail takes one lookup attribute; OpenTrail combines several with AND when
 * OPENTRAIL_COMBINE_LOOKUP_ATTRIBUTES is on. The console asks for them combined once; after the
 * server's InvalidLookupAttributesException it sends the first and filters the others here.
 */
let serverCombines = true;

export function matches(e: LookupEvent, [key, value]: Attribute): boolean {
  switch (key) {
    case "ResourceName":
      return (e.Resources ?? []).some((r) => r.ResourceName === value);
    case "ResourceType":
      return (e.Resources ?? []).some((r) => r.ResourceType === value);
    case "ReadOnly":
      return String(e.ReadOnly) === value;
    default:
      return e[key] === value;
  }
}

function request(q: LookupQuery, attributes: Attribute[], token: string | undefined, max: number): object {
  return Object.assign(
    { MaxResults: max },
    attributes.length
      ? {
          LookupAttributes: attributes.map(([AttributeKey, AttributeValue]) => ({
            AttributeKey,
            AttributeValue,
          })),
        }
      : {},
    q.StartTime !== undefined ? { StartTime: q.StartTime } : {},
    q.EndTime !== undefined ? { EndTime: q.EndTime } : {},
    q.insight ? { EventCategory: "insight" } : {},
    token ? { NextToken: token } : {},
  );
}

/** One page of up to `size` events from `token`. */
export async function lookupPage(q: LookupQuery, token: string | undefined, size = 50): Promise<LookupPage> {
  if (q.attributes.length <= 1 || serverCombines) {
    try {
      const out = await cloudtrail<{ Events?: LookupEvent[]; NextToken?: string }>(
        "LookupEvents",
        request(q, q.attributes, token, size),
      );
      return { events: out.Events ?? [], next: out.NextToken, filteredHere: false };
    } catch (e) {
      if (
        !(e instanceof ApiError && e.code === "InvalidLookupAttributesException" && q.attributes.length > 1)
      )
        throw e;
      serverCombines = false;
    }
  }
  const [first, ...rest] = q.attributes;
  const events: LookupEvent[] = [];
  let next = token;
  // Bounded so a rare combination cannot scan the whole history for one page.
  for (let scanned = 0; scanned < 40 && events.length < size; scanned++) {
    const out = await cloudtrail<{ Events?: LookupEvent[]; NextToken?: string }>(
      "LookupEvents",
      request(q, first ? [first] : [], next, 50),
    );
    events.push(...(out.Events ?? []).filter((e) => rest.every((a) => matches(e, a))));
    next = out.NextToken;
    if (!next) break;
  }
  return { events, next, filteredHere: true };
}

export function record(e: LookupEvent): Record<string, unknown> {
  try {
    return JSON.parse(e.CloudTrailEvent ?? "{}") as Record<string, unknown>;
  } catch {
    return {};
  }
}
