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

/** Records are fed to gzip in chunks of this many, so compression overlaps parsing. */
const CHUNK_RECORDS = 256;

/** One Region's file being built: a gzip stream compressing in the thread pool as records come. */
class FileBuilder {
  readonly firstSeq: number;
  lastSeq: number;
  newest: string;
  oldest: string;
  count = 0;
  private readonly gzip = createGzip();
  private readonly hash = createHash("sha256");
  private readonly out: Buffer[] = [];
  private readonly done: Promise<void>;
  private pending: Buffer[] = [OPEN];

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

  add(seq: number, time: string, payload: Buffer): void {
    if (this.count > 0) this.pending.push(COMMA);
    this.pending.push(payload);
    this.count++;
    this.lastSeq = seq;
    if (time > this.newest) this.newest = time;
    if (time < this.oldest) this.oldest = time;
    if (this.count % CHUNK_RECORDS === 0) this.flush();
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
    this.hash.update(chunk);
    this.gzip.write(chunk);
  }
}

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

/**
 * The log files of one batch: selected records grouped by Region folder and kind (Insights
 * events in their own CloudTrail-Insight file), in log order, each file named from (trail,
 * Region, kind, first seq, last seq) and the batch's delivery time. A pure
 * function of its inputs (gzip is fed the same chunks in the same order), so a replayed batch
 * produces the same keys and the same bytes; the body is exactly `logFileBody` of the records.
 */
export async function buildLogFiles(
  records: readonly LogRecord[],
  epochs: EpochIndex,
  id: BatchIdentity,
): Promise<LogFileToWrite[]> {
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
    g.add(record.seq, time, record.payload);
  }
  const deliveredAt = new Date(id.deliveredAt);
  const files: LogFileToWrite[] = [];
  for (const [, g] of [...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const { gz, hash } = await g.finish();
    const { region, kind } = g;
    files.push({
      region,
      key: logFileKey({
        prefix: id.prefix,
        accountId: id.accountId,
        region,
        deliveredAt,
        unique: uniqueString(id.trailArn, region, g.firstSeq, g.lastSeq, kind),
        kind,
      }),
      gz,
      hash,
      newestEventTime: g.newest,
      oldestEventTime: g.oldest,
      records: g.count,
    });
  }
  return files;
}
