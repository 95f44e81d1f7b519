const NEWLINE = Buffer.from("\n");
/** CloudTrail's eventTime as the recorder writes it; anything else goes through Date. */
const STRICT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The records of one UTC day of an ingest batch, kept in log order until written. */
class DayBatch {
  readonly lines: Buffer[] = [];
  private readonly times: number[] = [];
  private sorted = true;

  add(line: Buffer, ms: number): void {
    const n = this.times.length;
    if (n > 0 && ms < (this.times[n - 1] as number)) this.sorted = false;
    this.lines.push(line);
    this.times.push(ms);
  }

  /** The day's records as JSON lines in eventTime order (log order among equal times). */
  jsonLines(): Buffer {
    let order = this.lines;
    if (!this.sorted) {
      const idx = this.lines.map((_, i) => i);
      idx.sort((a, b) => (this.times[a] as number) - (this.times[b] as number) || a - b);
      order = idx.map((i) => this.lines[i] as Buffer);
    }
    const parts: Buffer[] = [];
    for (const line of order) parts.push(line, NEWLINE);
    return Buffer.concat(parts);
  }
}

/**
 * Splits an ingest batch by the UTC day of eventTime, so each day becomes one file already in
 * eventTime order: JavaScript sorts a day only when the log was out of order (rare: the log is
 * in recording order), which is far cheaper than DuckDB sorting wide rows.
 */
export class DayBatches {
  readonly days = new Map<string, DayBatch>();

  /** Adds a record; false (and nothing added) if its eventTime is not a valid time. */
  add(line: Buffer, eventTime: unknown): boolean {
    if (typeof eventTime !== "string") return false;
    const ms = Date.parse(eventTime);
    if (Number.isNaN(ms)) return false;
    const day = STRICT_TIME.test(eventTime)
      ? eventTime.slice(0, 10)
      : new Date(ms).toISOString().slice(0, 10);
    let batch = this.days.get(day);
    if (!batch) {
      batch = new DayBatch();
      this.days.set(day, batch);
    }
    batch.add(line, ms);
    return true;
  }

  get size(): number {
    return this.days.size;
  }
}
