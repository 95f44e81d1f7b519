import { createHash } from "node:crypto";
import { createGzip } from "node:zlib";
import type { CloudTrailEvent } from "../../events/cloudtrail-event.js";
import type { LogRecord } from "../../log/index.js";
import { categoryOf } from "../selectors/index.js";
import type { EpochIndex } from "./epoch-filter.js";
import { deliveryRegion } from "./epoch-filter.js";
import { type LogFileKind, logFileKey, uniqueString } from "./log-file-key.js";

const OPEN = Buffer.from('{"Records":[');
const COMMA = Buffer.from(",");
const CLOSE = Buffer.from("]}");

export interface LogFileToWrite {
  region: string;
  key: string;
  gz: Buffer;
  /** Hex SHA-256 of the uncompressed body. */
  hash: string;
  newestEventTime: string;
  oldestEventTime: string;
  records: number;
}

export interface BatchIdentity {
  trailArn: string;
  accountId: string;
  prefix?: string;
  deliveredAt: number;
}

/**
 * Records are fed to gzip in chunks of about this many bytes, so compression (in the thread
 * pool) overlaps parsing; gzip hands back output in pieces of GZIP_OUT_BYTES, few enough that
 * the main thread is rarely interrupted. Neither changes the bytes: deflate's output depends
 * only on the input stream, not on how it is split into writes.
 */
const CHUNK_BYTES = 256 * 1024;
const GZIP_OUT_BYTES = 256 * 1024;

/** One Region's file being built: a gzip stream compressing in the thread pool as records come. */
class FileBuilder {
  readonly firstSeq: number;
  lastSeq: number;
  newest: string;
  oldest: string;
  count = 0;
  private readonly gzip = createGzip({ chunkSize: GZIP_OUT_BYTES });
  private readonly hash = createHash("sha256");
  private readonly out: Buffer[] = [];
  private readonly done: Promise<void>;
  private pending: Buffer[] = [OPEN];
  private pendingBytes = 0;

  constructor(
    seq: number,
    time: string,
    readonly region: string,
    readonly kind: LogFileKind,
  ) {
    this.firstSeq = seq;
    this.lastSeq = seq;
    this.newest = time;
    this.oldest = time;
    this.gzip.on("data", (chunk: Buffer) => this.out.push(chunk));
    this.done = new Promise((resolve, reject) => {
      this.gzip.on("end", resolve);
      this.gzip.on("error", reject);
    });
  }

  /** Returns true when a chunk went to gzip: the caller should then yield (see compressLogFiles). */
  add(seq: number, time: string, payload: Buffer): boolean {
    if (this.count > 0) this.pending.push(COMMA);
    this.pending.push(payload);
    this.pendingBytes += payload.length;
    this.count++;
    this.lastSeq = seq;
    if (time > this.newest) this.newest = time;
    if (time < this.oldest) this.oldest = time;
    if (this.pendingBytes < CHUNK_BYTES) return false;
    this.flush();
    return true;
  }

  async finish(): Promise<{ gz: Buffer; hash: string }> {
    this.pending.push(CLOSE);
    this.flush();
    this.gzip.end();
    await this.done;
    return { gz: Buffer.concat(this.out), hash: this.hash.digest("hex") };
  }

  private flush(): void {
    const chunk = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    this.hash.update(chunk);
    this.gzip.write(chunk);
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Parses a record for selection; a record that is not a CloudTrail event selects nothing. */
export function parseRecord(record: LogRecord): CloudTrailEvent | undefined {
  try {
    const value = JSON.parse(record.payload.toString("utf8")) as unknown;
    return value && typeof value === "object" && !Array.isArray(value)
      ? (value as CloudTrailEvent)
      : undefined;
  } catch {
    return undefined;
  }
}

/** True when any record is taken by the epoch in force at its seq. */
export function anySelected(records: readonly LogRecord[], epochs: EpochIndex): boolean {
  const first = records[0];
  const last = records.at(-1);
  if (!first || !last || epochs.silentBetween(first.seq, last.seq + 1)) return false;
  for (const record of records) {
    const entry = epochs.at(record.seq);
    if (!entry?.epoch.logging) continue;
    const event = parseRecord(record);
    if (event && entry.filter(event)) return true;
  }
  return false;
}

/** One Region's (and kind's) log file of a batch, compressed but not yet named. */
export interface CompressedLogFile {
  region: string;
  kind: LogFileKind;
  firstSeq: number;
  lastSeq: number;
  gz: Buffer;
  hash: string;
  newestEventTime: string;
  oldestEventTime: string;
  records: number;
}

/**
 * The log files of one batch: selected records grouped by Region folder and kind (Insights
 * events in their own CloudTrail-Insight file), in log order. A pure function of its inputs
 * (gzip is fed the same bytes in the same order), so a replayed batch produces the same bytes;
 * the body is exactly `logFileBody` of the records. Files of different groups compress
 * concurrently in the thread pool.
 */
export async function compressLogFiles(
  records: readonly LogRecord[],
  epochs: EpochIndex,
): Promise<CompressedLogFile[]> {
  const groups = new Map<string, FileBuilder>();
  for (const record of records) {
    const entry = epochs.at(record.seq);
    if (!entry?.epoch.logging) continue;
    const event = parseRecord(record);
    if (!event || !entry.filter(event)) continue;
    const region = deliveryRegion(entry.epoch, event);
    const kind: LogFileKind = categoryOf(event) === "Insight" ? "CloudTrail-Insight" : "CloudTrail";
    const time = typeof event.eventTime === "string" ? event.eventTime : "";
    const group = `${region}/${kind}`;
    let g = groups.get(group);
    if (!g) {
      g = new FileBuilder(record.seq, time, region, kind);
      groups.set(group, g);
    }
    // zlib takes its next chunk from a callback on this thread: yielding after each chunk keeps
    // compression running while the following records are parsed, instead of after them all.
    if (g.add(record.seq, time, record.payload)) await yieldToEventLoop();
  }
  const sorted = [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  const done = await Promise.all(sorted.map((g) => g.finish()));
  return sorted.map((g, i) => {
    const { gz, hash } = done[i] as { gz: Buffer; hash: string };
    return {
      region: g.region,
      kind: g.kind,
      firstSeq: g.firstSeq,
      lastSeq: g.lastSeq,
      gz,
      hash,
      newestEventTime: g.newest,
      oldestEventTime: g.oldest,
      records: g.count,
    };
  });
}

/** Names a batch's files from (trail, Region, kind, first seq, last seq) and its delivery time. */
export function nameLogFiles(files: readonly CompressedLogFile[], id: BatchIdentity): LogFileToWrite[] {
  const deliveredAt = new Date(id.deliveredAt);
  return files.map((f) => ({
    region: f.region,
    key: logFileKey({
      prefix: id.prefix,
      accountId: id.accountId,
      region: f.region,
      deliveredAt,
      unique: uniqueString(id.trailArn, f.region, f.firstSeq, f.lastSeq, f.kind),
      kind: f.kind,
    }),
    gz: f.gz,
    hash: f.hash,
    newestEventTime: f.newestEventTime,
    oldestEventTime: f.oldestEventTime,
    records: f.records,
  }));
}
