import type { LookupAttributeKey, LookupEventsRequest } from "@aws-sdk/client-cloudtrail";
import type { CloudTrailEvent } from "../../src/events/cloudtrail-event.js";
import { type Random, seededRandom } from "./event-generator.js";

/** The LookupEvents variants the history benchmark times, each fed realistic values. */
export const LOOKUP_KINDS = [
  "EventId",
  "EventName",
  "ReadOnly",
  "Username",
  "ResourceType",
  "ResourceName",
  "EventSource",
  "AccessKeyId",
  "TimeRange",
] as const;
export type LookupKind = (typeof LOOKUP_KINDS)[number];

function usernameOf(r: CloudTrailEvent): string | undefined {
  const id = r.userIdentity;
  if (!id) return undefined;
  if (id.type === "Root") return "root";
  if (id.arn?.includes(":assumed-role/")) return id.arn.slice(id.arn.lastIndexOf("/") + 1);
  return id.userName;
}

/**
 * A reservoir of generated events from which lookup values are drawn, so popular values (busy
 * users, frequent event names) are looked up as often as they occur, like real traffic would.
 */
export class LookupSamples {
  private readonly events: CloudTrailEvent[] = [];
  private seen = 0;
  private readonly random: Random;

  constructor(
    private readonly size = 10_000,
    seed = 99,
  ) {
    this.random = seededRandom(seed);
  }

  /** Offers an event to the reservoir (uniform sample of everything offered). */
  offer(event: CloudTrailEvent): void {
    this.seen++;
    if (this.events.length < this.size) this.events.push(event);
    else {
      const i = Math.floor(this.random() * this.seen);
      if (i < this.size) this.events[i] = event;
    }
  }

  private pick(): CloudTrailEvent {
    return this.events[Math.floor(this.random() * this.events.length)] as CloudTrailEvent;
  }

  private value(kind: Exclude<LookupKind, "TimeRange">): string | undefined {
    const r = this.pick();
    switch (kind) {
      case "EventId":
        return r.eventID;
      case "EventName":
        return r.eventName;
      case "ReadOnly":
        return String(r.readOnly);
      case "Username":
        return usernameOf(r);
      case "ResourceType":
        return r.resources?.[0]?.type;
      case "ResourceName":
        return r.resources?.[0]?.ARN;
      case "EventSource":
        return r.eventSource;
      case "AccessKeyId":
        return r.userIdentity?.accessKeyId;
    }
  }

  /** `count` requests of one kind (time ranges: random one-hour windows within the span). */
  requests(kind: LookupKind, count: number, span: { start: number; end: number }): LookupEventsRequest[] {
    const out: LookupEventsRequest[] = [];
    while (out.length < count) {
      if (kind === "TimeRange") {
        const start = span.start + this.random() * (span.end - span.start - 3_600_000);
        out.push({ StartTime: new Date(start), EndTime: new Date(start + 3_600_000) });
        continue;
      }
      const value = this.value(kind);
      if (value)
        out.push({ LookupAttributes: [{ AttributeKey: kind as LookupAttributeKey, AttributeValue: value }] });
    }
    return out;
  }
}
