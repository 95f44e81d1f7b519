import type { CloudTrailEvent } from "../../events/cloudtrail-event.js";
import { categoryOf, compileSelectors, type EventPredicate } from "../selectors/index.js";
import { compileInsightSelection } from "../selectors/insight-selection.js";
import type { SelectionEpoch } from "../trail-model.js";

/**
 * Services whose events CloudTrail records in us-east-1 as "global service events"; a trail
 * takes them only with IncludeGlobalServiceEvents.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-concepts.html#cloudtrail-concepts-global-service-events
 */
const GLOBAL_SERVICES = new Set([
  "iam.amazonaws.com",
  "sts.amazonaws.com",
  "cloudfront.amazonaws.com",
  "route53.amazonaws.com",
  "organizations.amazonaws.com",
]);
const GLOBAL_REGION = "us-east-1";

export function isGlobalServiceEvent(event: CloudTrailEvent): boolean {
  return event.awsRegion === GLOBAL_REGION && GLOBAL_SERVICES.has(event.eventSource ?? "");
}

/** The account a record belongs to: recipientAccountId, or the caller's for older records. */
export function accountOf(event: CloudTrailEvent): string | undefined {
  return event.recipientAccountId ?? event.userIdentity?.accountId;
}

/**
 * Whether a trail in this epoch takes the event: logging on, the trail's account, its Region
 * (every Region for a multi-Region trail; us-east-1 global service events when included), and
 * its selectors (its insight selectors for Insights events).
 */
export function compileEpochFilter(epoch: SelectionEpoch): EventPredicate {
  if (!epoch.logging) return () => false;
  const selected = compileSelectors(epoch);
  const insights = compileInsightSelection(epoch.insightSelectors, epoch.trailArn);
  return (event) => {
    if (accountOf(event) !== epoch.accountId) return false;
    // Insights events are per Region and chosen by the insight selectors, not the event selectors.
    if (categoryOf(event) === "Insight")
      return (epoch.isMultiRegionTrail || event.awsRegion === epoch.homeRegion) && insights(event);
    const global = isGlobalServiceEvent(event);
    if (global && !epoch.includeGlobalServiceEvents) return false;
    if (!epoch.isMultiRegionTrail && !global && event.awsRegion !== epoch.homeRegion) return false;
    return selected(event);
  };
}

/**
 * The Region folder a selected event is delivered to: the event's own Region for a multi-Region
 * trail; the home Region for a single-Region trail (which then has one digest chain; global
 * service events from us-east-1 land in it too).
 */
export function deliveryRegion(epoch: SelectionEpoch, event: CloudTrailEvent): string {
  return epoch.isMultiRegionTrail ? event.awsRegion : epoch.homeRegion;
}

/** Epochs in log order with their compiled filters; `at(seq)` is the epoch in force at seq. */
export class EpochIndex {
  private entries: Array<{ epoch: SelectionEpoch; filter: EventPredicate }> = [];

  constructor(epochs: SelectionEpoch[] = []) {
    for (const e of epochs) this.add(e);
  }

  /** Adds an epoch; one with the same fromSeq replaces the earlier (the last change wins). */
  add(epoch: SelectionEpoch): void {
    const last = this.entries.at(-1);
    if (last && epoch.fromSeq < last.epoch.fromSeq) throw new RangeError("epochs must be added in log order");
    if (last && last.epoch.fromSeq === epoch.fromSeq) this.entries.pop();
    this.entries.push({ epoch, filter: compileEpochFilter(epoch) });
  }

  at(seq: number): { epoch: SelectionEpoch; filter: EventPredicate } | undefined {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i];
      if (entry && entry.epoch.fromSeq <= seq) return entry;
    }
    return undefined;
  }

  /** True when no epoch in force anywhere in [from, to) has logging on. */
  silentBetween(from: number, to: number): boolean {
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i] as { epoch: SelectionEpoch };
      const next = this.entries[i + 1]?.epoch.fromSeq ?? Number.POSITIVE_INFINITY;
      if (next <= from) break;
      if (entry.epoch.fromSeq < to && entry.epoch.logging) return false;
    }
    return true;
  }

  get latest(): SelectionEpoch | undefined {
    return this.entries.at(-1)?.epoch;
  }

  /** Drops epochs no longer needed once every seq < `seq` is delivered. */
  pruneBefore(seq: number): SelectionEpoch[] {
    let keepFrom = 0;
    for (let i = 0; i < this.entries.length; i++)
      if ((this.entries[i]?.epoch.fromSeq ?? 0) <= seq) keepFrom = i;
    const dropped = this.entries.splice(0, keepFrom).map((e) => e.epoch);
    return dropped;
  }
}
