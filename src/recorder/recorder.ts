import { randomUUID } from "node:crypto";
import { type CloudTrailEvent, CURRENT_EVENT_VERSION } from "../events/cloudtrail-event.js";
import { formatEventTime } from "../events/event-time.js";
import { orderEvent, serializeEvent } from "../events/serialize-event.js";
import type { EventDraft, EventSink } from "./event-sink.js";
import { checkSize, validateEvent } from "./validate-event.js";

/** The only thing the recorder needs from the event log. */
export interface AppendLog {
  append(payload: Buffer): Promise<number>;
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
    const event = this.prepare(draft);
    const bytes = serializeEvent(event);
    checkSize(bytes);
    await this.log.append(Buffer.from(bytes, "utf8"));
    return event;
  }

  /** Builds the stored form of a draft without appending it (used by tests and imports). */
  prepare(draft: EventDraft): CloudTrailEvent {
    const eventTime =
      draft.eventTime instanceof Date
        ? formatEventTime(draft.eventTime)
        : (draft.eventTime ?? formatEventTime(this.clock()));
    const event: CloudTrailEvent = {
      ...draft,
      eventVersion: CURRENT_EVENT_VERSION,
      eventTime,
      eventID: draft.eventID ?? randomUUID(),
      recipientAccountId: draft.recipientAccountId ?? draft.userIdentity?.accountId,
    };
    return orderEvent(validateEvent(event));
  }
}
