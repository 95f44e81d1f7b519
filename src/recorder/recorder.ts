import { type CloudTrailEvent, CURRENT_EVENT_VERSION } from "../events/cloudtrail-event.js";
import { formatEventTime, formatEventTimeMs } from "../events/event-time.js";
import { orderEvent, serializeOrderedEvent } from "../events/serialize-event.js";
import { EventIdSource } from "./event-ids.js";
import type { EventDraft, EventSink } from "./event-sink.js";
import { checkSize, OBJECT_CAPS, validateEvent } from "./validate-event.js";

/** The only thing the recorder needs from the event log; text payloads are stored as UTF-8. */
export interface AppendLog {
  append(payload: Buffer | string): Promise<number>;
  appendBatch?(payloads: Array<Buffer | string>): Promise<number[]>;
  /** append for a caller that needs no seq; the event log shares one promise among many. */
  appendGrouped?(payload: Buffer | string): Promise<unknown>;
}

/** 9999-12-31T23:59:59Z: later years take more than four digits, which eventTime does not allow. */
const LAST_4_DIGIT_YEAR_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

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
  /** Milliseconds since the epoch; without a clock option, Date.now (no Date per record). */
  private readonly clockMs: () => number;
  private readonly ids = new EventIdSource();

  constructor(
    private readonly log: AppendLog,
    opts: RecorderOptions = {},
  ) {
    const clock = opts.clock;
    this.clockMs = clock ? () => clock().getTime() : Date.now;
  }

  async record(draft: EventDraft): Promise<CloudTrailEvent> {
    const event = this.prepare(draft);
    const json = serialize(event);
    // Grouped: the many records of one flush interval share one queue entry and one promise.
    if (this.log.appendGrouped) await this.log.appendGrouped(json);
    else await this.log.append(json);
    return event;
  }

  /**
   * Records several events with one append (imports, PutAuditEvents batches). All or nothing:
   * if any draft is invalid, nothing is appended.
   */
  async recordBatch(drafts: EventDraft[]): Promise<CloudTrailEvent[]> {
    const events: CloudTrailEvent[] = new Array(drafts.length);
    const payloads: string[] = new Array(drafts.length);
    for (let i = 0; i < drafts.length; i++) {
      const event = this.prepare(drafts[i] as EventDraft);
      payloads[i] = serialize(event);
      events[i] = event;
    }
    if (this.log.appendBatch) await this.log.appendBatch(payloads);
    else for (const p of payloads) await this.log.append(p);
    return events;
  }

  /** The stored record and its exact bytes, without appending (used by tests and imports). */
  encode(draft: EventDraft): { event: CloudTrailEvent; json: string } {
    const event = this.prepare(draft);
    return { event, json: serialize(event) };
  }

  /** Builds the stored form of a draft (fields filled and checked; object caps apply on encode). */
  prepare(draft: EventDraft): CloudTrailEvent {
    const given = draft.eventTime;
    const eventTime =
      given instanceof Date ? formatEventTime(given) : (given ?? formatEventTimeMs(this.clockMs()));
    const event = orderEvent(draft as CloudTrailEvent, {
      eventVersion: CURRENT_EVENT_VERSION,
      eventTime,
      eventID: draft.eventID ?? this.ids.take(),
      recipientAccountId: draft.recipientAccountId ?? draft.userIdentity?.accountId,
    });
    // Only what a capture source supplied needs checking; the recorder's own values (a Date it
    // formatted within years 1970-9999 included) are well formed.
    const formatted =
      given === undefined ||
      (given instanceof Date && given.getTime() >= 0 && given.getTime() <= LAST_4_DIGIT_YEAR_MS);
    return validateEvent(event, { eventTime: formatted, eventID: draft.eventID === undefined });
  }
}

/** The record's stored text: CloudTrail's compact JSON, object fields capped, size checked. */
function serialize(event: CloudTrailEvent): string {
  const json = serializeOrderedEvent(event, OBJECT_CAPS);
  checkSize(json);
  return json;
}
