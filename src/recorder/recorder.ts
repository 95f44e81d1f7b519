import { randomUUID } from "node:crypto";
import { type CloudTrailEvent, CURRENT_EVENT_VERSION } from "../events/cloudtrail-event.js";
import { formatEventTime } from "../events/event-time.js";
import { orderEvent, serializeOrderedEvent } from "../events/serialize-event.js";
import type { EventDraft, EventSink } from "./event-sink.js";
import { checkSize, OBJECT_CAPS, validateEvent } from "./validate-event.js";

/** The only thing the recorder needs from the event log; text payloads are stored as UTF-8. */
export interface AppendLog {
  append(payload: Buffer | string): Promise<number>;
  appendBatch?(payloads: Array<Buffer | string>): Promise<number[]>;
}

export interface RecorderOptions {
  clock?: () => Date;
}

/**
 * One path from every capture source (own API, gateway, PutAuditEvents, imports, Insights)
 * into the event log: fill the fields the recorder owns, validate, cap, serialise in
 * CloudTrail's field order, and append. `record` resolves only when the record is durable, so
 * a caller that acknowledges after it can never lose an acknowledged event.
 */
export class Recorder implements EventSink {
  private readonly clock: () => Date;
  private nowSecond = Number.NaN;
  private nowText = "";

  constructor(
    private readonly log: AppendLog,
    opts: RecorderOptions = {},
  ) {
    this.clock = opts.clock ?? (() => new Date());
  }

  async record(draft: EventDraft): Promise<CloudTrailEvent> {
    const { event, json } = this.encode(draft);
    await this.log.append(json);
    return event;
  }

  /**
   * Records several events with one append (imports, PutAuditEvents batches). All or nothing:
   * if any draft is invalid, nothing is appended.
   */
  async recordBatch(drafts: EventDraft[]): Promise<CloudTrailEvent[]> {
    const encoded = drafts.map((d) => this.encode(d));
    const payloads = encoded.map((e) => e.json);
    if (this.log.appendBatch) await this.log.appendBatch(payloads);
    else for (const p of payloads) await this.log.append(p);
    return encoded.map((e) => e.event);
  }

  /** The stored record and its exact bytes, without appending (used by tests and imports). */
  encode(draft: EventDraft): { event: CloudTrailEvent; json: string } {
    const event = this.prepare(draft);
    const json = serializeOrderedEvent(event, OBJECT_CAPS);
    checkSize(json);
    return { event, json };
  }

  /** Builds the stored form of a draft (fields filled and checked; object caps apply on encode). */
  prepare(draft: EventDraft): CloudTrailEvent {
    const given = draft.eventTime;
    const eventTime = given instanceof Date ? formatEventTime(given) : (given ?? this.now());
    const event = orderEvent(draft as CloudTrailEvent, {
      eventVersion: CURRENT_EVENT_VERSION,
      eventTime,
      eventID: draft.eventID ?? randomUUID(),
      recipientAccountId: draft.recipientAccountId ?? draft.userIdentity?.accountId,
    });
    // Only what a capture source supplied needs checking; the recorder's own values are well formed.
    return validateEvent(event, { eventTime: given === undefined, eventID: draft.eventID === undefined });
  }

  /** The clock's time as an eventTime; formatted once per second, since every record asks. */
  private now(): string {
    const ms = this.clock().getTime();
    const second = Math.floor(ms / 1000);
    if (second !== this.nowSecond) {
      this.nowSecond = second;
      this.nowText = formatEventTime(new Date(ms));
    }
    return this.nowText;
  }
}
