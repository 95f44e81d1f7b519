import type { Event, LookupEventsRequest, LookupEventsResponse } from "@aws-sdk/client-cloudtrail";
import type { Statement } from "better-sqlite3";
import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import type { CursorStore, LogRecord } from "../log/types.js";
import { type EventFields, toLookupEvent } from "./event-fields.js";
import { type HistoryDb, openHistoryDb } from "./history-db.js";
import { type LookupPlan, parseLookupRequest } from "./lookup-request.js";
import { NextTokens, type PagePosition } from "./next-token.js";
import {
  attributeHash,
  eventIdHash,
  eventIdPartition,
  eventIdTag,
  forEachPostingKey,
  hasAttribute,
  Kind,
  scopeKey,
} from "./posting-keys.js";
import { IntersectRun, type PostingRun, TagFilterRun } from "./posting-runs.js";
import { PostingStore } from "./posting-store.js";
import { RecordCodec } from "./record-codec.js";
import { readFields } from "./record-view.js";
import { ScopeTable } from "./scope-table.js";
import { SymbolTable } from "./symbol-table.js";

export interface HistoryIndexOptions {
  /** SQLite file (created with its folder if missing). */
  path: string;
  /** Events older than this many days (by eventTime) are deleted. Default 90, as CloudTrail. */
  retentionDays?: number;
  /** Let LookupEvents combine several lookup attributes with AND (CloudTrail allows one). */
  combineAttributes?: boolean;
  /**
   * Unflushed events after which apply() starts flushing the in-memory index (in slices over
   * the following applies). Default 65536.
   */
  flushEvents?: number;
}

/** Whose events a lookup sees: one account's events in one region, as in CloudTrail. */
export interface HistoryScope {
  accountId: string;
  region: string;
}

export interface HistoryStats {
  events: number;
  databaseBytes: number;
  strings: number;
  unflushedEvents: number;
}

const DAY_SECONDS = 86_400;

/**
 * CloudTrail event history: a consumer of the event log that keeps management and Insights
 * events for `retentionDays` and answers LookupEvents. Guarantees: apply() is idempotent and
 * exactly-once with cursor() (the cursor commits in the same transaction as the events);
 * lookups return events newest first by (eventTime, seq), and NextToken paging neither repeats
 * nor skips events while new ones arrive (keyset pagination).
 */
export class HistoryIndex {
  private readonly db;
  private readonly symbols: SymbolTable;
  private readonly scopes: ScopeTable;
  private readonly codec: RecordCodec;
  private readonly postings: PostingStore;
  private readonly tokens: NextTokens;
  private readonly insertEvent: Statement<[number, Buffer]>;
  private readonly selectEvent: Statement<[number]>;
  private readonly deleteEvent: Statement<[number]>;
  private readonly applyBatch: (records: LogRecord[]) => void;
  private readonly readTransaction: (
    input: LookupEventsRequest,
    scope: HistoryScope,
    now: Date,
  ) => LookupEventsResponse;
  private readonly retentionDays: number;
  private readonly combineAttributes: boolean;
  private readonly flushEvents: number;
  private position = 0;
  private cutoff = 0;
  private unflushed = 0;
  /** The cursor when the flush in progress started: where `indexed` moves when it is done. */
  private flushedUpTo = 0;
  private flushSliceKeys = 1024;
  private closed = false;

  private constructor(
    private readonly hdb: HistoryDb,
    opts: HistoryIndexOptions,
  ) {
    this.db = hdb.db;
    this.retentionDays = opts.retentionDays ?? 90;
    this.combineAttributes = opts.combineAttributes ?? false;
    this.flushEvents = opts.flushEvents ?? 65_536;
    this.symbols = new SymbolTable(this.db);
    this.scopes = new ScopeTable(this.db);
    this.codec = new RecordCodec(this.symbols);
    this.postings = new PostingStore(this.db);
    this.tokens = new NextTokens(hdb.tokenKey);
    this.insertEvent = this.db.prepare("INSERT OR IGNORE INTO events (seq, rec) VALUES (?, ?)");
    this.selectEvent = this.db.prepare("SELECT rec FROM events WHERE seq = ?").pluck();
    this.deleteEvent = this.db.prepare("DELETE FROM events WHERE seq = ?");
    this.applyBatch = this.db.transaction((records: LogRecord[]) => this.applyInTransaction(records));
    this.readTransaction = this.db.transaction((input: LookupEventsRequest, scope: HistoryScope, now: Date) =>
      this.lookup(input, scope, now),
    );
    this.recover();
  }

  static open(opts: HistoryIndexOptions): HistoryIndex {
    const days = opts.retentionDays ?? 90;
    if (!Number.isFinite(days) || days <= 0) throw new RangeError("retentionDays must be a positive number");
    return new HistoryIndex(openHistoryDb(opts.path), opts);
  }

  /** Reloads in-memory state from the database: at open and after a failed transaction. */
  private recover(): void {
    this.symbols.reload();
    this.codec.reset();
    this.scopes.reload();
    this.postings.clearMemory();
    this.position = this.hdb.getMeta("cursor");
    this.cutoff = this.hdb.getMeta("cutoff");
    this.unflushed = 0;
    const rows = this.db.prepare("SELECT seq FROM events WHERE seq >= ? ORDER BY seq").pluck();
    for (const seq of rows.all(this.hdb.getMeta("indexed")) as number[]) {
      const read = this.readEvent(seq);
      if (read) this.addPostings(seq, read.fields);
    }
  }

  /** The consumer cursor, stored in this database (see apply). */
  cursor(): CursorStore {
    return {
      load: () => this.position,
      save: (next) => {
        if (next <= this.position) return;
        this.hdb.setMeta("cursor", next);
        this.position = next;
      },
    };
  }

  /**
   * Indexes a batch of log records in one transaction together with the cursor. Records below
   * the cursor were applied before and are skipped; records that are not management or Insights
   * events, or are older than the retention cutoff, are skipped too.
   */
  apply(records: LogRecord[]): void {
    this.assertOpen();
    try {
      this.applyBatch(records);
    } catch (e) {
      this.recover();
      throw e;
    }
  }

  private applyInTransaction(records: LogRecord[]): void {
    let next = this.position;
    for (const r of records) {
      if (r.seq < this.position) continue;
      this.indexRecord(r.seq, r.payload.toString("utf8"));
      next = Math.max(next, r.seq + 1);
    }
    if (next > this.position) this.hdb.setMeta("cursor", next);
    this.position = next;
    if (this.postings.flushing) this.flushSlice();
    else if (this.unflushed >= this.flushEvents) {
      this.postings.startFlush();
      this.flushedUpTo = this.position;
      this.unflushed = 0;
      // Spread the flush over the next applies, so none of them stalls lookups for long.
      this.flushSliceKeys = Math.max(1024, Math.ceil(this.postings.pendingKeys / 16));
      this.flushSlice();
    }
  }

  private flushSlice(): void {
    if (this.postings.flushStep(this.cutoff, this.flushSliceKeys, (seqs) => this.deleteEvents(seqs))) {
      this.hdb.setMeta("indexed", this.flushedUpTo);
    }
  }

  private indexRecord(seq: number, text: string): void {
    const split = this.codec.split(text);
    const read = readFields(text, split?.parts ?? [], split?.slots ?? [], split?.key);
    if (!read || read.fields.time < this.cutoff) return;
    if (this.insertEvent.run(seq, this.codec.encode(text, split)).changes === 0) return;
    this.addPostings(seq, read.fields);
  }

  private addPostings(seq: number, fields: EventFields): void {
    const { postings } = this;
    const t = fields.time;
    forEachPostingKey(fields, this.scopes.intern(fields.account, fields.region), (sk, v, tag) =>
      postings.add(sk, v, t, seq, tag),
    );
    this.unflushed++;
  }

  /** A stored record: its exact text and history fields. */
  private readEvent(seq: number): { text: string; fields: EventFields; record: CloudTrailEvent } | undefined {
    const rec = this.selectEvent.get(seq) as Buffer | undefined;
    if (!rec) return undefined;
    const { text, parts, slots } = this.codec.decodeSplit(rec);
    const read = readFields(text, parts, slots);
    return read && { text, ...read };
  }

  private flushInTransaction(): void {
    this.postings.flushAll(this.cutoff, (seqs) => this.deleteEvents(seqs));
    this.hdb.setMeta("indexed", this.position);
    this.unflushed = 0;
  }

  /** Writes the in-memory part of the index to the database (also done by apply and close). */
  flush(): void {
    this.assertOpen();
    this.db.transaction(() => this.flushInTransaction())();
  }

  private deleteEvents(seqs: number[]): number {
    let n = 0;
    for (const seq of seqs) n += this.deleteEvent.run(seq).changes;
    return n;
  }

  /**
   * Deletes every event whose eventTime is more than retentionDays before `now`, with its index
   * entries, and from then on ignores older records. Returns how many events were deleted.
   */
  enforceRetention(now: Date = new Date()): number {
    this.assertOpen();
    const cutoff = Math.floor(now.getTime() / 1000) - Math.round(this.retentionDays * DAY_SECONDS);
    if (cutoff <= this.cutoff) return 0;
    try {
      return this.retain(cutoff);
    } catch (e) {
      this.recover();
      throw e;
    }
  }

  private retain(cutoff: number): number {
    return this.db.transaction(() => {
      this.cutoff = cutoff;
      this.hdb.setMeta("cutoff", cutoff);
      // Unflushed entries older than the cutoff are dropped (and their events deleted) when
      // flushed; lookups never show them. Stored ones: every event is in its scope's All key
      // once, and its other keys are recomputed from the record.
      let deleted = 0;
      const keys = new Map<string, [number, number]>();
      for (const scopeId of this.scopes.ids()) {
        for (const insight of [false, true]) {
          const all = scopeKey(scopeId, insight, Kind.All);
          keys.set(`${all}:0`, [all, 0]);
          for (const seq of this.postings.expiredSeqs(all, 0, cutoff)) {
            const read = this.readEvent(seq);
            if (read) forEachPostingKey(read.fields, scopeId, (sk, v) => keys.set(`${sk}:${v}`, [sk, v]));
            deleted += this.deleteEvent.run(seq).changes;
          }
        }
      }
      for (const [sk, v] of keys.values()) this.postings.expireKey(sk, v, cutoff);
      return deleted;
    })();
  }

  /**
   * LookupEvents for one caller's scope. Throws AwsError with CloudTrail's codes for invalid
   * requests. `now` anchors the default window (the last 90 days) and the retention cutoff.
   * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
   */
  lookupEvents(
    input: LookupEventsRequest,
    scope: HistoryScope,
    now: Date = new Date(),
  ): LookupEventsResponse {
    this.assertOpen();
    // One read transaction for the whole page: a consistent snapshot, and one WAL lock instead of
    // one per event read.
    return this.db.inTransaction ? this.lookup(input, scope, now) : this.readTransaction(input, scope, now);
  }

  private lookup(input: LookupEventsRequest, scope: HistoryScope, now: Date): LookupEventsResponse {
    const plan = parseLookupRequest(input, { combineAttributes: this.combineAttributes }, now);
    const binding = `${JSON.stringify([scope.accountId, scope.region])}${plan.binding}`;
    const after = plan.nextToken === undefined ? undefined : this.tokens.verify(plan.nextToken, binding);
    const retained = Math.floor(now.getTime() / 1000) - Math.round(this.retentionDays * DAY_SECONDS);
    const startT = Math.max(plan.startT, retained, this.cutoff);
    const scopeId = this.scopes.find(scope.accountId, scope.region);
    if (scopeId === undefined || startT > plan.endT) return { Events: [] };
    const below = after && after.t <= plan.endT ? after : { t: plan.endT + 1, seq: 0 };
    const run = this.runFor(plan, scopeId, below.t, below.seq);
    const events: Event[] = [];
    let last: PagePosition | undefined;
    for (; !run.done && run.t >= startT; run.next()) {
      const found = this.loadEvent(run.seq, plan);
      if (!found) continue;
      if (events.length === plan.maxResults) {
        return { Events: events, NextToken: this.tokens.issue(binding, last as PagePosition) };
      }
      events.push(found);
      last = { t: run.t, seq: run.seq };
    }
    return { Events: events };
  }

  private runFor(plan: LookupPlan, scopeId: number, belowT: number, belowSeq: number): PostingRun {
    if (plan.attributes.length === 0) {
      return this.postings.run(scopeKey(scopeId, plan.insight, Kind.All), 0, belowT, belowSeq);
    }
    const runs = plan.attributes.map(({ kind, value }): PostingRun => {
      const sk = scopeKey(scopeId, plan.insight, kind);
      if (kind === Kind.ReadOnly) return this.postings.run(sk, value === "true" ? 1 : 0, belowT, belowSeq);
      if (kind !== Kind.EventId) return this.postings.run(sk, attributeHash(value), belowT, belowSeq);
      const hash = eventIdHash(value);
      return new TagFilterRun(
        this.postings.run(sk, eventIdPartition(hash), belowT, belowSeq),
        eventIdTag(hash),
      );
    });
    return runs.length === 1 ? (runs[0] as PostingRun) : new IntersectRun(runs);
  }

  /**
   * The stored event at `seq` as LookupEvents shows it, if it really has the requested attribute
   * values (index keys are hashes, so a candidate may be a collision).
   */
  private loadEvent(seq: number, plan: LookupPlan): Event | undefined {
    const read = this.readEvent(seq);
    if (!read || !plan.attributes.every((a) => hasAttribute(read.fields, a.kind, a.value))) return undefined;
    return toLookupEvent(read.fields, read.record, read.text);
  }

  stats(): HistoryStats {
    const pages = this.db.pragma("page_count", { simple: true }) as number;
    const pageSize = this.db.pragma("page_size", { simple: true }) as number;
    return {
      events: this.db.prepare("SELECT count(*) FROM events").pluck().get() as number,
      databaseBytes: pages * pageSize,
      strings: this.symbols.size,
      unflushedEvents: this.unflushed,
    };
  }

  /** Flushes the in-memory index and closes the database. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("history index is closed");
  }
}
