import type { InsightSelector } from "@aws-sdk/client-cloudtrail";
import type Database from "better-sqlite3";
import { openSqliteFile } from "../config/sqlite-file.js";

/** An Insights event as stored for ListInsightsData and the CLI. */
export interface StoredInsightEvent {
  eventId: string;
  sharedId: string;
  state: "Start" | "End";
  timeMs: number;
  account: string;
  region: string;
  insightType: string;
  category: string;
  insightSource: string | null;
  eventSource: string;
  eventName: string;
  errorCode: string | null;
  /** The record exactly as the recorder wrote it. */
  record: string;
}

/** Insights on an event data store: the management events of `regions` go to `destination`. */
export interface StoreInsightSettings {
  accountId: string;
  regions: "all" | string[];
  destination: string;
  selectors: InsightSelector[];
}

/** Everything one checkpoint commits, in one transaction. */
export interface Checkpoint {
  cursor: number;
  scopes: Array<[string, string, number]>;
  series: Array<[number, string]>;
  minutes: Array<[number, number, number]>;
  days: Array<[number, number, string]>;
  /** The analyzer's clock: minutes up to this one are final. */
  closedThrough: number;
  /** In-flight state of the series that changed: [id, state], or [id, null] to drop it. */
  seriesStates: Array<[number, string | null]>;
  /** Insights events decided, to be recorded right after this commit. */
  outbox: Array<{ eventId: string; draft: string }>;
  logEnd: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS scopes (account TEXT NOT NULL, region TEXT NOT NULL, since INTEGER NOT NULL,
  PRIMARY KEY (account, region)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS series (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS minutes (series_id INTEGER NOT NULL, minute INTEGER NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (series_id, minute)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hours (series_id INTEGER NOT NULL, hour INTEGER NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (series_id, hour)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS days (series_id INTEGER NOT NULL, day INTEGER NOT NULL, tally TEXT NOT NULL,
  PRIMARY KEY (series_id, day)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (event_id TEXT PRIMARY KEY, shared_id TEXT NOT NULL, state TEXT NOT NULL,
  time_ms INTEGER NOT NULL, account TEXT NOT NULL, region TEXT NOT NULL, insight_type TEXT NOT NULL,
  category TEXT NOT NULL, insight_source TEXT, event_source TEXT NOT NULL, event_name TEXT NOT NULL,
  error_code TEXT, record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_by_time ON events (account, region, time_ms);
CREATE TABLE IF NOT EXISTS store_insights (source_arn TEXT PRIMARY KEY, settings TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (event_id TEXT PRIMARY KEY, log_end INTEGER NOT NULL, draft TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS series_state (series_id INTEGER PRIMARY KEY, state TEXT NOT NULL);
`;

/**
 * Insights' state in `<dataDir>/insights/insights.db` (WAL, synchronous=FULL): per-minute
 * counts of every series (kept 15 days for ListInsightsMetricData, the last baseline window
 * reloaded at start) and per-hour counts (90 days), daily attribution tallies, the analyzer's in-flight state
 * with the log cursor it matches, the Insights events emitted, and an outbox: decided events
 * are committed here before they are recorded, so a crash between the two neither loses nor
 * duplicates an Insights event (see InsightsConsumer).
 */
export class InsightsStore {
  readonly db: Database.Database;

  constructor(path: string) {
    // NORMAL, not FULL: the analyzer commits after every small batch the log hands it, and a FULL
    // commit is an fsync that blocks the event loop (it cut API throughput by a third). In WAL
    // mode a NORMAL commit survives a process crash (kill -9); only an OS crash or power loss can
    // drop the last commits, which rewinds the cursor so the log replays them.
    this.db = openSqliteFile(path, { synchronous: "NORMAL", schema: SCHEMA });
  }

  close(): void {
    this.db.close();
  }

  meta(key: string): string | undefined {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as
      | { value: string }
      | undefined;
    return row?.value;
  }

  cursor(): number {
    return Number(this.meta("cursor") ?? 0);
  }

  /** The analyzer's clock as last committed; undefined before the first checkpoint. */
  closedThrough(): number | undefined {
    const v = this.meta("closedThrough");
    return v === undefined ? undefined : Number(v);
  }

  /** Each series' in-flight state as last committed: [series id, state]. */
  seriesStates(): IterableIterator<[number, string]> {
    return this.db.prepare("SELECT series_id, state FROM series_state").raw().iterate() as IterableIterator<
      [number, string]
    >;
  }

  scopes(): Array<[string, string, number]> {
    const rows = this.db.prepare("SELECT account, region, since FROM scopes").all() as Array<{
      account: string;
      region: string;
      since: number;
    }>;
    return rows.map((r) => [r.account, r.region, r.since]);
  }

  series(): Array<{ id: number; key: string }> {
    return this.db.prepare("SELECT id, key FROM series ORDER BY id").all() as Array<{
      id: number;
      key: string;
    }>;
  }

  /** Minute counts from `fromMinute` on, in (series, minute) order. */
  *minutesSince(fromMinute: number): Generator<[number, number, number]> {
    const stmt = this.db
      .prepare("SELECT series_id, minute, count FROM minutes WHERE minute >= ? ORDER BY series_id, minute")
      .raw();
    for (const row of stmt.iterate(fromMinute)) yield row as [number, number, number];
  }

  seriesId(key: string): number | undefined {
    const row = this.db.prepare("SELECT id FROM series WHERE key = ?").get(key) as { id: number } | undefined;
    return row?.id;
  }

  /** One series' counts per minute (or per hour) in [from, to), ascending. */
  seriesCounts(seriesId: number, unit: "minute" | "hour", from: number, to: number): Array<[number, number]> {
    const table = unit === "minute" ? "minutes" : "hours";
    return this.db
      .prepare(
        `SELECT ${unit}, count FROM ${table} WHERE series_id = ? AND ${unit} >= ? AND ${unit} < ? ORDER BY ${unit}`,
      )
      .raw()
      .all(seriesId, from, to) as Array<[number, number]>;
  }

  days(fromDay: number): Array<[number, number, string]> {
    return this.db
      .prepare("SELECT series_id, day, tally FROM days WHERE day >= ?")
      .raw()
      .all(fromDay) as Array<[number, number, string]>;
  }

  outbox(): Array<{ eventId: string; logEnd: number; draft: string }> {
    return (
      this.db.prepare("SELECT event_id, log_end, draft FROM outbox ORDER BY rowid").all() as Array<{
        event_id: string;
        log_end: number;
        draft: string;
      }>
    ).map((r) => ({ eventId: r.event_id, logEnd: r.log_end, draft: r.draft }));
  }

  checkpoint(c: Checkpoint): void {
    const db = this.db;
    const setMeta = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)");
    const scope = db.prepare("INSERT OR IGNORE INTO scopes (account, region, since) VALUES (?, ?, ?)");
    const series = db.prepare("INSERT OR IGNORE INTO series (id, key) VALUES (?, ?)");
    const minute = db.prepare("INSERT OR REPLACE INTO minutes (series_id, minute, count) VALUES (?, ?, ?)");
    const hour = db.prepare(
      "INSERT INTO hours (series_id, hour, count) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count",
    );
    const day = db.prepare("INSERT OR REPLACE INTO days (series_id, day, tally) VALUES (?, ?, ?)");
    const outbox = db.prepare("INSERT OR REPLACE INTO outbox (event_id, log_end, draft) VALUES (?, ?, ?)");
    const putState = db.prepare("INSERT OR REPLACE INTO series_state (series_id, state) VALUES (?, ?)");
    const dropState = db.prepare("DELETE FROM series_state WHERE series_id = ?");
    db.transaction(() => {
      for (const s of c.scopes) scope.run(...s);
      for (const s of c.series) series.run(...s);
      for (const [id, m, n] of c.minutes) {
        minute.run(id, m, n);
        hour.run(id, Math.floor(m / 60), n);
      }
      for (const d of c.days) day.run(...d);
      for (const o of c.outbox) outbox.run(o.eventId, c.logEnd, o.draft);
      for (const [id, state] of c.seriesStates) {
        if (state === null) dropState.run(id);
        else putState.run(id, state);
      }
      setMeta.run("closedThrough", String(c.closedThrough));
      // The in-flight state as one document, from before it was saved per series.
      db.prepare("DELETE FROM meta WHERE key = 'volatile'").run();
      setMeta.run("cursor", String(c.cursor));
    })();
  }

  /** The outbox's events are in the log: keep them for ListInsightsData, empty the outbox. */
  delivered(events: StoredInsightEvent[]): void {
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO events (event_id, shared_id, state, time_ms, account, region, insight_type, category,
        insight_source, event_source, event_name, error_code, record)
       VALUES (@eventId, @sharedId, @state, @timeMs, @account, @region, @insightType, @category, @insightSource,
        @eventSource, @eventName, @errorCode, @record)`,
    );
    const done = this.db.prepare("DELETE FROM outbox WHERE event_id = ?");
    this.db.transaction(() => {
      for (const e of events) {
        insert.run(e);
        done.run(e.eventId);
      }
    })();
  }

  /** Insights events of an account in a Region, newest first, from the keyset position `before`. */
  events(
    account: string,
    region: string,
    fromMs: number,
    toMs: number,
    before?: { timeMs: number; eventId: string },
  ): IterableIterator<StoredInsightEvent> {
    const rows = this.db
      .prepare(
        `SELECT event_id AS eventId, shared_id AS sharedId, state, time_ms AS timeMs, account, region,
           insight_type AS insightType, category, insight_source AS insightSource, event_source AS eventSource,
           event_name AS eventName, error_code AS errorCode, record
         FROM events WHERE account = ? AND region = ? AND time_ms >= ? AND time_ms <= ?
           AND (time_ms < ? OR (time_ms = ? AND event_id < ?))
         ORDER BY time_ms DESC, event_id DESC`,
      )
      .iterate(
        account,
        region,
        fromMs,
        toMs,
        before?.timeMs ?? Number.MAX_SAFE_INTEGER,
        before?.timeMs ?? Number.MAX_SAFE_INTEGER,
        before?.eventId ?? "\uffff",
      );
    return rows as IterableIterator<StoredInsightEvent>;
  }

  putStoreInsights(sourceArn: string, settings: StoreInsightSettings | undefined): void {
    if (settings)
      this.db
        .prepare("INSERT OR REPLACE INTO store_insights (source_arn, settings) VALUES (?, ?)")
        .run(sourceArn, JSON.stringify(settings));
    else this.db.prepare("DELETE FROM store_insights WHERE source_arn = ?").run(sourceArn);
  }

  storeInsights(sourceArn: string): StoreInsightSettings | undefined {
    const row = this.db.prepare("SELECT settings FROM store_insights WHERE source_arn = ?").get(sourceArn) as
      | { settings: string }
      | undefined;
    return row ? (JSON.parse(row.settings) as StoreInsightSettings) : undefined;
  }

  allStoreInsights(): Array<StoreInsightSettings & { source: string }> {
    const rows = this.db.prepare("SELECT source_arn, settings FROM store_insights").all() as Array<{
      source_arn: string;
      settings: string;
    }>;
    return rows.map((r) => ({ ...(JSON.parse(r.settings) as StoreInsightSettings), source: r.source_arn }));
  }

  /** Drops what retention no longer needs: minutes before `minMinute`, days before `minDay`, events before `minMs`. */
  retain(minMinute: number, minDay: number, minMs: number): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM minutes WHERE minute < ?").run(minMinute);
      this.db.prepare("DELETE FROM hours WHERE hour < ?").run(Math.floor(minMs / 3_600_000));
      this.db.prepare("DELETE FROM days WHERE day < ?").run(minDay);
      this.db.prepare("DELETE FROM events WHERE time_ms < ?").run(minMs);
    })();
  }
}
