import { EpochIndex } from "./delivery/epoch-filter.js";
import { TrailErrors } from "./trail-errors.js";
import type { SelectionEpoch, TrailRecord } from "./trail-model.js";
import type { TrailRef } from "./trail-name.js";
import type { TrailStore } from "./trail-store.js";

export const MAX_TRAILS_PER_REGION = 5;

export interface TrailEntry {
  record: TrailRecord;
  epochs: EpochIndex;
}

/**
 * Every trail in memory (the store is the durable copy, written through). A trail lives in its
 * home Region; a multi-Region trail also appears in every other Region as a "shadow trail".
 */
export class TrailRegistry {
  private readonly entries = new Map<string, TrailEntry>();

  constructor(private readonly store: TrailStore) {
    for (const record of store.loadTrails()) {
      this.entries.set(record.config.id, {
        record,
        epochs: new EpochIndex(store.loadEpochs(record.config.id)),
      });
    }
  }

  all(): TrailEntry[] {
    return [...this.entries.values()].sort((a, b) => a.record.config.createdAt - b.record.config.createdAt);
  }

  get(id: string): TrailEntry | undefined {
    return this.entries.get(id);
  }

  /** Trails of the account that apply in the Region: its own, then other Regions' multi-Region trails. */
  visibleIn(accountId: string, region: string, includeShadowTrails = true): TrailEntry[] {
    return this.all().filter(({ record: { config: c } }) => {
      if (c.accountId !== accountId) return false;
      return c.homeRegion === region || (includeShadowTrails && c.isMultiRegionTrail);
    });
  }

  byArn(arn: string): TrailEntry | undefined {
    return this.all().find((e) => e.record.config.arn === arn);
  }

  /**
   * A name finds a trail whose home is the calling Region; an ARN finds any trail that applies
   * in the calling Region (the home trail or a shadow), as CloudTrail resolves them.
   */
  find(ref: TrailRef, accountId: string, region: string): TrailEntry | undefined {
    if (ref.kind === "name") {
      return this.visibleIn(accountId, region, false).find((e) => e.record.config.name === ref.name);
    }
    return this.visibleIn(accountId, region).find((e) => e.record.config.arn === ref.arn);
  }

  resolve(ref: TrailRef, accountId: string, region: string): TrailEntry {
    const entry = this.find(ref, accountId, region);
    if (!entry) throw TrailErrors.trailNotFound(ref.kind === "name" ? ref.name : ref.arn, accountId);
    return entry;
  }

  /** Like resolve, for operations that only the home Region may call. */
  resolveHome(ref: TrailRef, accountId: string, region: string): TrailEntry {
    const entry = this.resolve(ref, accountId, region);
    const c = entry.record.config;
    if (c.homeRegion !== region) throw TrailErrors.invalidHomeRegion(c.arn, c.homeRegion);
    return entry;
  }

  /** "A trail that applies to all AWS Regions counts as one trail in every Region." */
  countIn(accountId: string, region: string): number {
    return this.visibleIn(accountId, region).length;
  }

  add(record: TrailRecord, epoch: SelectionEpoch): TrailEntry {
    this.store.insertTrail(record, epoch);
    const entry = { record, epochs: new EpochIndex([epoch]) };
    this.entries.set(record.config.id, entry);
    return entry;
  }

  /** Persists the entry's record and, when the change affects selection, the epoch it starts. */
  save(entry: TrailEntry, epoch?: SelectionEpoch): void {
    this.store.saveTrail(entry.record, epoch);
    if (epoch) entry.epochs.add(epoch);
  }

  remove(id: string): void {
    this.store.deleteTrail(id);
    this.entries.delete(id);
  }
}
