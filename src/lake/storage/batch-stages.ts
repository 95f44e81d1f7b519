import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { CloudTrailEvent } from "../../events/cloudtrail-event.js";
import type { LogRecord } from "../../log/index.js";
import { utcDay } from "./day-batches.js";
import type { ParquetWriter } from "./parquet-writer.js";

/** An event data store as ingest sees it: which events it takes, as now configured. */
export interface IngestingStore {
  id: string;
  accepts(event: CloudTrailEvent): boolean;
}

/**
 * A log batch in DuckDB: one table of the store's columns per UTC day of eventTime, holding the
 * records that at least one store takes. Record i is row `rowOf[i]` (its rowid) of the table of
 * day `dayOf[i]`; records no store takes, that are not JSON objects or have no valid eventTime
 * have no day and are never written.
 */
export interface Staged {
  readonly tables: ReadonlyMap<string, string>;
  readonly dayOf: ReadonlyArray<string | undefined>;
  readonly rowOf: Int32Array;
  /** eventTime of record i in epoch ms. */
  readonly timeOf: Float64Array;
  /** Per store, 1 for each record it takes. */
  readonly takes: ReadonlyMap<string, Uint8Array>;
}

export interface StagedBatch extends Staged {
  /** The caller is done with the tables (dropped once no one uses them and they are old). */
  release(): void;
}

interface Stage {
  staged: Staged;
  /** Each day's JSON lines, until a store that takes some of them has them loaded. */
  lines: Map<string, Buffer[]>;
  /** Loading into DuckDB, once a store that takes records asked for the batch. */
  ready?: Promise<void>;
  users: number;
  evicted: boolean;
}

/** Batches kept staged after use: a store that lags a batch behind the others still finds its. */
const KEEP = 2;
const NEWLINE = Buffer.from("\n");

/**
 * Log batches staged once in DuckDB for every event data store. Every store's consumer reads the
 * same batches from the log, usually at about the same time; the first to ask for a batch
 * parses it once for every ingesting store (selection, UTC day) and has DuckDB read the JSON of
 * what any of them takes (read_json with the store's schema, the costly step) into one table per
 * day; each store then writes its rows of each day straight from those tables. Parsed events are
 * dropped as soon as they are judged: keeping a batch's objects alive across the awaits of
 * several stores made the garbage collector the largest cost of ingest.
 */
export class BatchStages {
  private readonly stages = new Map<string, Stage>();
  private counter = 0;

  /** `ingesting()`: the stores whose consumers are running, judged together for each batch. */
  constructor(
    private readonly writer: ParquetWriter,
    private readonly ingesting: () => IngestingStore[],
  ) {}

  /** The staged batch of `records`, judged for `store` (and every other ingesting store). */
  async acquire(records: readonly LogRecord[], store: IngestingStore): Promise<StagedBatch> {
    const key = `${records[0]?.seq}:${records.length}`;
    let stage = this.stages.get(key);
    if (!stage?.staged.takes.has(store.id)) {
      // A store that started after the batch was staged gets a batch of its own.
      const shared = !stage;
      const stores = shared ? [store, ...this.ingesting().filter((s) => s.id !== store.id)] : [store];
      const { staged, lines } = this.split(records, stores);
      stage = { staged, lines, users: 0, evicted: !shared };
      if (shared) {
        this.stages.set(key, stage);
        this.evictOld();
      }
    }
    const s = stage;
    // A store that takes nothing of the batch (a trickle of calls it does not select, such as
    // the API calls of Lake queries) needs no tables: DuckDB stages the batch only once a store
    // that takes some of it asks, instead of right away for every small batch.
    if (!(s.staged.takes.get(store.id) as Uint8Array).includes(1))
      return Object.assign({ release: () => undefined }, s.staged);
    // Once in DuckDB, the lines (up to a batch's 256 MiB of payloads) are not kept with the stage.
    s.ready ??= this.load(s.staged, s.lines).finally(() => s.lines.clear());
    s.users++;
    try {
      await s.ready;
    } catch (err) {
      if (this.stages.get(key) === s) this.stages.delete(key);
      s.evicted = true;
      this.unuse(s);
      throw err;
    }
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.unuse(s);
    };
    return Object.assign({ release }, s.staged);
  }

  /** Drops every staged table no one uses (the writer is closing, or tests are done). */
  async clear(): Promise<void> {
    const all = [...this.stages.values()];
    this.stages.clear();
    for (const s of all) {
      s.evicted = true;
      if (s.users === 0) await this.drop(s);
    }
  }

  /** Judges each record for every store, and gathers each day's JSON lines (log order). */
  private split(
    records: readonly LogRecord[],
    stores: IngestingStore[],
  ): { staged: Staged; lines: Map<string, Buffer[]> } {
    const n = records.length;
    const dayOf = new Array<string | undefined>(n);
    const rowOf = new Int32Array(n);
    const timeOf = new Float64Array(n);
    const takes = new Map(stores.map((s) => [s.id, new Uint8Array(n)] as const));
    const masks = stores.map((s) => takes.get(s.id) as Uint8Array);
    const tables = new Map<string, string>();
    const lines = new Map<string, Buffer[]>();
    const batch = ++this.counter;
    for (let i = 0; i < n; i++) {
      const payload = (records[i] as LogRecord).payload;
      const event = parseEvent(payload);
      if (!event) continue;
      const at = utcDay(event.eventTime);
      if (!at) continue;
      let taken = false;
      for (let k = 0; k < stores.length; k++) {
        if ((stores[k] as IngestingStore).accepts(event)) {
          (masks[k] as Uint8Array)[i] = 1;
          taken = true;
        }
      }
      if (!taken) continue;
      let parts = lines.get(at.day);
      if (!parts) {
        parts = [];
        lines.set(at.day, parts);
        tables.set(at.day, `stage_${batch}_${at.day.replaceAll("-", "")}`);
      }
      dayOf[i] = at.day;
      rowOf[i] = parts.length / 2;
      timeOf[i] = at.ms;
      // A payload with raw newlines (valid JSON, but not one line) is re-serialised.
      parts.push(payload.includes(10) ? Buffer.from(JSON.stringify(event)) : payload, NEWLINE);
    }
    return { staged: { tables, dayOf, rowOf, timeOf, takes }, lines };
  }

  private async load(staged: Staged, lines: Map<string, Buffer[]>): Promise<void> {
    for (const [day, parts] of lines) {
      const table = staged.tables.get(day) as string;
      const path = join(this.writer.scratchDir, `${table}.jsonl`);
      await writeFile(path, Buffer.concat(parts));
      try {
        await this.writer.stageJsonLines(path, table);
      } finally {
        await rm(path, { force: true });
      }
    }
  }

  private evictOld(): void {
    for (const [key, s] of this.stages) {
      if (this.stages.size <= KEEP) break;
      this.stages.delete(key);
      s.evicted = true;
      if (s.users === 0) void this.drop(s);
    }
  }

  private unuse(s: Stage): void {
    s.users--;
    if (s.users === 0 && s.evicted) void this.drop(s);
  }

  private async drop(s: Stage): Promise<void> {
    if (!s.ready) return;
    await s.ready.catch(() => undefined);
    for (const table of s.staged.tables.values()) await this.writer.dropTable(table).catch(() => undefined);
  }
}

function parseEvent(payload: Buffer): CloudTrailEvent | undefined {
  try {
    const value: unknown = JSON.parse(payload.toString("utf8"));
    return value !== null && typeof value === "object" ? (value as CloudTrailEvent) : undefined;
  } catch {
    return undefined;
  }
}
