import { randomUUID } from "node:crypto";
import { type CloudTrailEvent, CURRENT_EVENT_VERSION } from "../events/cloudtrail-event.js";
import { formatEventTime } from "../events/event-time.js";
import { serializeEvent } from "../events/serialize-event.js";
import type { EventDraft, EventSink } from "./event-sink.js";
import { checkSize, OBJECT_CAPS, validateEvent } from "./validate-event.js";

/** The only thing the recorder needs from the event log. */
export interface AppendLog {
  append(payload: Buffer): Promise<number>;
  appendBatch?(payloads: Buffer[]): Promise<number[]>;
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

  constructor(
    private readonly log: AppendLog,
    opts: RecorderOptions = {},
  ) {
    this.clock = opts.clock ?? (() => new Date());
  }

  async record(draft: EventDraft): Promise<CloudTrailEvent> {
    const { event, json } = this.encode(draft);
    await this.log.append(Buffer.from(json, "utf8"));
    return event;
  }

  /**
   * Records several events with one append (imports, PutAuditEvents batches). All or nothing:
   * if any draft is invalid, nothing is appended.
   */
  async recordBatch(drafts: EventDraft[]): Promise<CloudTrailEvent[]> {
    const encoded = drafts.map((d) => this.encode(d));
    const payloads = encoded.map((e) => Buffer.from(e.json, "utf8"));
    if (this.log.appendBatch) await this.log.appendBatch(payloads);
    else for (const p of payloads) await this.log.append(p);
    return encoded.map((e) => e.event);
  }

  /** The stored record and its exact bytes, without appending (used by tests and imports). */
  encode(draft: EventDraft): { event: CloudTrailEvent; json: string } {
    const event = this.prepare(draft);
    const json = serializeEvent(event, OBJECT_CAPS);
    checkSize(json);
    return { event, json };
  }

  /** Builds the stored form of a draft (fields filled and checked; object caps apply on encode). */
  prepare(draft: EventDraft): CloudTrailEvent {
    const eventTime =
      draft.eventTime instanceof Date
        ? formatEventTime(draft.eventTime)
        : (draft.eventTime ?? formatEventTime(this.clock()));
    // Object.assign, not spread: spread is an order of magnitude slower here once transpiled.
    const event: CloudTrailEvent = Object.assign({}, draft, {
      eventVersion: CURRENT_EVENT_VERSION,
      eventTime,
      eventID: draft.eventID ?? randomUUID(),
      recipientAccountId: draft.recipientAccountId ?? draft.userIdentity?.accountId,
    });
    return validateEvent(event);
  }
}
