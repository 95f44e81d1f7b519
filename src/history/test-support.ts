import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Event, LookupAttribute } from "@aws-sdk/client-cloudtrail";
import { createEventGenerator, type EventGeneratorOptions } from "../../bench/support/event-generator.js";
import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import type { LogRecord } from "../log/types.js";
import { type TempDir, tempDir } from "../test-support/fixtures.js";
import { eventFields } from "./event-fields.js";
import { HistoryIndex, type HistoryIndexOptions } from "./history-index.js";
import { ATTRIBUTE_KINDS } from "./lookup-request.js";
import { hasAttribute } from "./posting-keys.js";

/** Real CloudTrail records (read-only, see /work/shared/data/README.md). */
export const SHARED_DATA = fileURLToPath(new URL("../../../shared/data/", import.meta.url));

function recordsIn(file: string): CloudTrailEvent[] {
  const json = JSON.parse(readFileSync(file, "utf8")) as unknown;
  const list = Array.isArray(json) ? json : ((json as { Records?: unknown[] }).Records ?? [json]);
  return list.filter((r): r is CloudTrailEvent => typeof r === "object" && r !== null && "eventID" in r);
}

function filesUnder(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), suffix) : [join(dir, e.name)]))
    .filter((f) => f.endsWith(suffix))
    .sort();
}

export interface RealData {
  invictus: CloudTrailEvent[];
  stratus: CloudTrailEvent[];
  traildiscover: CloudTrailEvent[];
  all: CloudTrailEvent[];
}

let cached: RealData | undefined;

/** Every record of the three shared data sets, in file order. */
export function realData(): RealData {
  if (cached) return cached;
  const invictus = filesUnder(join(SHARED_DATA, "invictus-aws-dataset/CloudTrail"), ".json").flatMap(
    recordsIn,
  );
  const stratus = filesUnder(
    join(SHARED_DATA, "stratus-detonation-logs/docs/detonation-logs"),
    ".json",
  ).flatMap(recordsIn);
  const traildiscover = filesUnder(join(SHARED_DATA, "traildiscover-events/events"), ".cloudtrail").flatMap(
    recordsIn,
  );
  cached = { invictus, stratus, traildiscover, all: [...invictus, ...stratus, ...traildiscover] };
  return cached;
}

/** Log records carrying `events` as compact JSON, with consecutive seqs from `from`. */
export function logRecords(events: readonly unknown[], from = 0): LogRecord[] {
  return events.map((e, i) => ({ seq: from + i, payload: Buffer.from(JSON.stringify(e)) }));
}

/** Synthetic events (bench/support/event-generator) ending at `end`. */
export function generated(count: number, opts: Partial<EventGeneratorOptions> = {}): CloudTrailEvent[] {
  const gen = createEventGenerator({ count, ...opts });
  return Array.from({ length: count }, () => gen.next());
}

export interface TempHistory {
  index: HistoryIndex;
  dir: TempDir;
  path: string;
  /** Closes and opens the same database again (a restart). */
  reopen(opts?: Partial<HistoryIndexOptions>): HistoryIndex;
  close(): void;
}

/** A HistoryIndex on a real SQLite file in a fresh temp folder. */
export function tempHistory(opts: Partial<HistoryIndexOptions> = {}): TempHistory {
  const dir = tempDir("opentrail-history-");
  const path = join(dir.path, "history.db");
  const h: TempHistory = {
    index: HistoryIndex.open({ path, ...opts }),
    dir,
    path,
    reopen: (more = {}) => {
      h.index.close();
      h.index = HistoryIndex.open({ path, ...opts, ...more });
      return h.index;
    },
    close: () => {
      h.index.close();
      dir.remove();
    },
  };
  return h;
}

/** What a lookup should return, computed the slow, obvious way (for tests). */
export interface OracleQuery {
  accountId: string;
  region: string;
  attributes?: LookupAttribute[];
  /** Inclusive, milliseconds. */
  start: number;
  end: number;
  insight?: boolean;
}

export interface Seeded {
  seq: number;
  record: CloudTrailEvent;
}

/** eventIDs of the matching events, newest first by (eventTime, seq). */
export function expectedIds(events: readonly Seeded[], q: OracleQuery): string[] {
  const matches: Array<{ t: number; seq: number; id: string }> = [];
  for (const { seq, record } of events) {
    const f = eventFields(record);
    if (!f || f.account !== q.accountId || f.region !== q.region) continue;
    if ((f.category === "insight") !== (q.insight ?? false)) continue;
    if (f.time * 1000 < q.start || f.time * 1000 > q.end) continue;
    const attrs = q.attributes ?? [];
    const ok = attrs.every((a) => {
      const kind = ATTRIBUTE_KINDS[a.AttributeKey ?? ""];
      return kind !== undefined && hasAttribute(f, kind, a.AttributeValue ?? "");
    });
    if (ok) matches.push({ t: f.time, seq, id: f.eventId });
  }
  matches.sort((a, b) => b.t - a.t || b.seq - a.seq);
  return matches.map((m) => m.id);
}

export function ids(events: Event[] | undefined): string[] {
  return (events ?? []).map((e) => e.EventId ?? "");
}

/** Numbers `records` with consecutive seqs from `from`. */
export function seeded(records: readonly CloudTrailEvent[], from = 0): Seeded[] {
  return records.map((record, i) => ({ seq: from + i, record }));
}
