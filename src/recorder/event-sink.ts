import type { CloudTrailEvent, CloudTrailEventFields } from "../events/cloudtrail-event.js";

/**
 * What a capture source hands the recorder: a record without the fields the recorder owns.
 * The recorder fills eventVersion, eventID, eventTime (if absent) and recipientAccountId
 * (from userIdentity.accountId if absent), validates, caps field sizes and appends durably.
 */
export type EventDraft = Omit<CloudTrailEventFields, "eventVersion" | "eventID" | "eventTime"> & {
  eventID?: string;
  eventTime?: string | Date;
  [extra: string]: unknown;
};

export interface EventSink {
  /** Resolves with the stored record once it is durable in the event log. */
  record(draft: EventDraft): Promise<CloudTrailEvent>;
}
