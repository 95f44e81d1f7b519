/** CloudTrail's eventTime as the recorder writes it; anything else goes through Date. */
const STRICT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/**
 * Which rows of a day's staged table (see BatchStages) one store writes, as a SQL condition on
 * the table's rowid: a range when the rows are contiguous (a store that
 * takes every event of a log in time order), else a bit mask over the range.
 */
export interface RowSelection {
  /** SQL condition on `rowid`. */
  where: string;
  /** False when the rows arrived out of eventTime order, so the writer must sort them. */
  sorted: boolean;
  rows: number;
}

/** The rows of one UTC day of an ingest batch, in log order. */
class DayBatch {
  readonly rows: number[] = [];
  private last = Number.NEGATIVE_INFINITY;
  private sorted = true;

  add(row: number, ms: number): void {
    if (ms < this.last) this.sorted = false;
    else this.last = ms;
    this.rows.push(row);
  }

  selection(): RowSelection {
    const { rows } = this;
    const first = rows[0] as number;
    const last = rows[rows.length - 1] as number;
    const range = `rowid BETWEEN ${first} AND ${last}`;
    if (last - first + 1 === rows.length) return { where: range, sorted: this.sorted, rows: rows.length };
    // One character per row of the range: a BITSTRING literal reads in O(1) per row with get_bit.
    const bits = Buffer.alloc(last - first + 1, 0x30);
    for (const r of rows) bits[r - first] = 0x31;
    const mask = `get_bit('${bits.toString("latin1")}'::BITSTRING, (rowid - ${first})::INTEGER) = 1`;
    return { where: `${range} AND ${mask}`, sorted: this.sorted, rows: rows.length };
  }
}

/**
 * The rows one store takes from a staged ingest batch, by UTC day of eventTime, so each day
 * becomes one file. The log is in recording order, which is nearly always eventTime order, so
 * the writer sorts a day only when it arrived out of order.
 */
export class DayBatches {
  readonly days = new Map<string, DayBatch>();

  /** Adds row `row` of the day's staged table, whose eventTime is `ms`. */
  add(day: string, row: number, ms: number): void {
    let batch = this.days.get(day);
    if (!batch) {
      batch = new DayBatch();
      this.days.set(day, batch);
    }
    batch.add(row, ms);
  }

  get size(): number {
    return this.days.size;
  }
}

/** The UTC day (YYYY-MM-DD) and epoch ms of an eventTime, or undefined if it is not a time. */
export function utcDay(eventTime: unknown): { day: string; ms: number } | undefined {
  if (typeof eventTime !== "string") return undefined;
  const ms = Date.parse(eventTime);
  if (Number.isNaN(ms)) return undefined;
  const day = STRICT_TIME.test(eventTime) ? eventTime.slice(0, 10) : new Date(ms).toISOString().slice(0, 10);
  return { day, ms };
}
