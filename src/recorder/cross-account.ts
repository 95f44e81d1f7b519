import { randomUUID } from "node:crypto";
import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import type { EventDraft, EventSink } from "./event-sink.js";

/**
 * Records a call for the account it is delivered to (the draft's recipientAccountId) and, when
 * it reached a resource of another account, a copy for that account too: CloudTrail delivers a
 * cross-account call to each account involved, each copy with its own eventID and
 * recipientAccountId, linked by one sharedEventID. Resolves with the draft's own record once
 * every copy is durable. The copies are recorded in order: the owner's last.
 */
export function recordWithOwnerCopy(
  sink: EventSink,
  draft: EventDraft,
  ownerAccountId: string | undefined,
): Promise<CloudTrailEvent> {
  if (ownerAccountId === undefined || ownerAccountId === draft.recipientAccountId) return sink.record(draft);
  draft.sharedEventID = randomUUID();
  const ownersCopy: EventDraft = Object.assign({}, draft, { recipientAccountId: ownerAccountId });
  return Promise.all([sink.record(draft), sink.record(ownersCopy)]).then(([own]) => own);
}
