import { randomUUID } from "node:crypto";
import { mkdir, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { LakeDb, StoreFile } from "../lake-db.js";
import { fsyncPath, type ParquetWriter } from "./parquet-writer.js";

/** A query's view of a store: the files it may read until it releases them. */
export interface FileLease {
  paths: string[];
  rows: number;
  bytes: number;
  /** UTC day of the earliest leased file ("~" if none): no event is older than its start. */
  firstDay: string;
  release(): void;
}

/** Files per tier before compaction merges them; a tier is a power of MERGE_FANOUT in rows. */
const MERGE_FANOUT = 8;
const TIER_BASE_ROWS = 4096;
/** A merge makes files up to this large (about 16 row groups). */
const MAX_MERGED_ROWS = 4_000_000;
/**
 * Files at least this large are left alone: bulk ingest and imports write files this large from
 * their big batches, and merging them would write every event twice (the larger part of ingest's
 * cost) for little: a query opens a few more files per day, each of them a sizeable row group.
 */
const SETTLED_ROWS = 65_536;
/**
 * A past day (before the current UTC day) that got no new file for this long is done being
 * written — bulk ingest and imports move on in time order — so its small files are merged into
 * one at once: each event is rewritten once instead of once per tier.
 */
export const QUIET_MS = 10_000;
/**
 * A month that ended this long ago gets no more late events (CloudTrail delivers within minutes),
 * so once quiet its files are merged across days into few large ones: a query over months then
 * opens a few files of full row groups instead of one small file per day, which cost more than
 * the reading itself.
 */
const MONTH_SETTLE_MS = 86_400_000;

/**
 * The Parquet files of one event data store: what is committed (in LakeDb), who is reading what
 * (queries lease the file list they planned with), and the two maintenance steps that replace
 * files — compaction and retention. Replaced files are deleted only once no lease holds them.
 * Every change to the file list goes through `exclusive`, so ingest, imports and compaction of
 * one store never interleave.
 */
export class StoreFiles {
  private files: StoreFile[];
  private readonly leases = new Map<string, number>();
  private readonly doomed = new Set<string>();
  /** When each day last got a new file (not a merged one); days missing here are quiet. */
  private readonly written = new Map<string, number>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: LakeDb,
    readonly storeId: string,
    readonly dir: string,
  ) {
    this.files = db.files(storeId);
  }

  /** Runs `fn` after every earlier exclusive step of this store has finished. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  get list(): readonly StoreFile[] {
    return this.files;
  }

  /** Leases the files, or only those of the days `range` (epoch ms, inclusive) touches. */
  lease(range?: { from: number; to: number }): FileLease {
    const first = range && range.from > -Infinity ? new Date(range.from).toISOString().slice(0, 10) : "";
    const last = range && range.to < Infinity ? new Date(range.to).toISOString().slice(0, 10) : "~";
    const files = this.files.filter((f) => f.day <= last && lastDayOf(f) >= first);
    for (const f of files) this.leases.set(f.path, (this.leases.get(f.path) ?? 0) + 1);
    let released = false;
    return {
      paths: files.map((f) => join(this.dir, f.path)),
      rows: files.reduce((a, f) => a + f.rows, 0),
      bytes: files.reduce((a, f) => a + f.bytes, 0),
      firstDay: files.map((f) => f.day).sort()[0] ?? "~",
      release: () => {
        if (released) return;
        released = true;
        for (const f of files) this.unlease(f.path);
      },
    };
  }

  /** Records new files (and the ingest cursor) durably, then drops replaced ones. */
  async commit(add: StoreFile[], remove: string[], nextSeq?: number): Promise<void> {
    this.db.commitFiles(this.storeId, add, remove, nextSeq);
    if (remove.length === 0) for (const f of add) this.written.set(f.day, Date.now());
    const gone = new Set(remove);
    this.files = [...this.files.filter((f) => !gone.has(f.path)), ...add];
    for (const path of remove) await this.discard(path);
  }

  /**
   * Merges files: a quiet settled month's all at once across days, a quiet past day's small ones
   * at once, the others tier by tier (each event of a day still being written is rewritten about
   * log8(n) times). `now` says which day is today.
   */
  async compact(writer: ParquetWriter, now = Date.now()): Promise<number> {
    let merged = 0;
    for (const group of this.mergeCandidates(now)) {
      const day = (group[0] as StoreFile).day;
      const lastDay = group.map(lastDayOf).sort().at(-1) ?? day;
      const rel = join(`day=${day}`, `part-${randomUUID()}.parquet`);
      const target = join(this.dir, rel);
      await mkdir(join(this.dir, `day=${day}`), { recursive: true });
      const { rows, bytes } = await writer.mergeFiles(
        group.map((f) => join(this.dir, f.path)),
        target,
      );
      await fsyncPath(target);
      const file: StoreFile = { path: rel, day, rows, bytes };
      if (lastDay !== day) file.lastDay = lastDay;
      await this.commit(
        [file],
        group.map((f) => f.path),
      );
      merged += group.length;
    }
    return merged;
  }

  /**
   * Deletes files whose every day is older than the cutoff's day. A month file is deleted once
   * its last day is; until then queries hide its expired events (they filter by eventTime).
   */
  async enforceRetention(cutoff: Date): Promise<number> {
    const cutoffDay = cutoff.toISOString().slice(0, 10);
    const old = this.files.filter((f) => lastDayOf(f) < cutoffDay).map((f) => f.path);
    if (old.length > 0) await this.commit([], old);
    return old.length;
  }

  /** Deletes files a crash left behind: on disk but never committed. */
  async removeOrphans(): Promise<void> {
    const known = new Set(this.files.map((f) => f.path));
    let days: string[];
    try {
      days = await readdir(this.dir);
    } catch {
      return;
    }
    for (const day of days.filter((d) => d.startsWith("day="))) {
      for (const name of await readdir(join(this.dir, day))) {
        const rel = join(day, name);
        if (!known.has(rel)) await rm(join(this.dir, rel), { force: true });
      }
    }
  }

  /** Forgets every file and deletes the folder (the store is gone). */
  async destroy(): Promise<void> {
    this.files = [];
    await rm(this.dir, { recursive: true, force: true });
  }

  private mergeCandidates(now: number): StoreFile[][] {
    const today = new Date(now).toISOString().slice(0, 10);
    // Months that ended a day ago; each whole is merged across days once it is quiet.
    const settled = new Date(now - MONTH_SETTLE_MS).toISOString().slice(0, 7);
    const days = new Map<string, StoreFile[]>();
    const months = new Map<string, StoreFile[]>();
    for (const f of this.files) {
      const month = f.day.slice(0, 7);
      if (month < settled) push(months, month, f);
      else if (f.rows < SETTLED_ROWS) push(days, f.day, f);
    }
    const groups: StoreFile[][] = [];
    // An ended month still being written (a bulk load or import) waits whole for its merge
    // rather than having its days merged first: each event is then rewritten once.
    for (const files of months.values())
      if (files.every((f) => this.quiet(f.day))) groups.push(...packed(files));
    for (const [day, files] of days)
      groups.push(...(day < today && this.quiet(day) ? packed(files) : tiers(files)));
    return groups;
  }

  /** Whether no new file came for the day for a while (bulk ingest and imports moved on). */
  private quiet(day: string): boolean {
    return Date.now() - (this.written.get(day) ?? 0) >= QUIET_MS;
  }

  private unlease(path: string): void {
    const n = (this.leases.get(path) ?? 1) - 1;
    if (n > 0) this.leases.set(path, n);
    else {
      this.leases.delete(path);
      if (this.doomed.delete(path)) void rm(join(this.dir, path), { force: true });
    }
  }

  private async discard(path: string): Promise<void> {
    if (this.leases.has(path)) this.doomed.add(path);
    else await rm(join(this.dir, path), { force: true });
  }
}

/** Last UTC day of a file's events. */
export function lastDayOf(f: StoreFile): string {
  return f.lastDay ?? f.day;
}

function push(groups: Map<string, StoreFile[]>, key: string, f: StoreFile): void {
  const group = groups.get(key);
  if (group) group.push(f);
  else groups.set(key, [f]);
}

/**
 * A quiet day's (or settled month's) files, in day order, as few merges as the size cap allows
 * (only merges of two or more; a file already at the cap stays as it is).
 */
function packed(files: StoreFile[]): StoreFile[][] {
  const groups: StoreFile[][] = [];
  let group: StoreFile[] = [];
  let rows = 0;
  for (const f of [...files].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))) {
    if (rows + f.rows > MAX_MERGED_ROWS && group.length > 0) {
      groups.push(group);
      group = [];
      rows = 0;
    }
    group.push(f);
    rows += f.rows;
  }
  groups.push(group);
  return groups.filter((g) => g.length >= 2);
}

/**
 * Size tiers (powers of MERGE_FANOUT in rows) that hold MERGE_FANOUT files or more; the lowest
 * tier merges at two files: rewriting a few thousand rows is cheaper than every query opening
 * the trickle's many tiny files.
 */
function tiers(files: StoreFile[]): StoreFile[][] {
  const byTier = new Map<number, StoreFile[]>();
  for (const f of files) {
    const tier = Math.max(
      0,
      Math.floor(Math.log(Math.max(1, f.rows / TIER_BASE_ROWS)) / Math.log(MERGE_FANOUT)),
    );
    const group = byTier.get(tier);
    if (group) group.push(f);
    else byTier.set(tier, [f]);
  }
  return [...byTier].filter(([tier, g]) => g.length >= (tier === 0 ? 2 : MERGE_FANOUT)).map(([, g]) => g);
}
