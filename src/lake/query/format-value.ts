import {
  DuckDBArrayValue,
  type DuckDBDataChunk,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
} from "@duckdb/node-api";

/**
 * Lake returns every value as a string (reference §5.3): timestamps as
 * `2023-01-22 16:53:53.000` (UTC, milliseconds), counts as decimal strings, booleans as
 * `true`/`false`, and maps, rows and arrays in Trino's text form (`{key=value, ...}`,
 * `[a, b]`). SQL NULL stays null (the wire keeps the column's position in the row).
 */
export function formatValue(value: DuckDBValue): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "boolean" || typeof value === "number" || typeof value === "bigint")
    return String(value);
  if (value instanceof DuckDBTimestampTZValue) return `${formatMicros(value.micros)} UTC`;
  if (value instanceof DuckDBTimestampValue) return formatMicros(value.micros);
  if (value instanceof DuckDBTimestampMillisecondsValue) return formatMicros(value.millis * 1000n);
  if (value instanceof DuckDBTimestampSecondsValue) return formatMicros(value.seconds * 1_000_000n);
  if (value instanceof DuckDBTimestampNanosecondsValue) return formatMicros(value.nanos / 1000n);
  return nested(value);
}

function nested(value: DuckDBValue): string {
  if (value === null) return "null";
  if (value instanceof DuckDBMapValue)
    return `{${value.entries.map((e) => `${nested(e.key)}=${nested(e.value)}`).join(", ")}}`;
  if (value instanceof DuckDBStructValue)
    return `{${Object.entries(value.entries)
      .map(([k, v]) => `${k}=${nested(v)}`)
      .join(", ")}}`;
  if (value instanceof DuckDBListValue || value instanceof DuckDBArrayValue)
    return `[${value.items.map(nested).join(", ")}]`;
  return formatValue(value) ?? "null";
}

type Cell = (value: DuckDBValue) => string | null;

const asText: Cell = (v) => (v === null ? null : String(v));
const asTimestamp: Cell = (v) => (v === null ? null : formatMicros((v as DuckDBTimestampValue).micros));

/** Formatters of the types queries return most, without formatValue's type tests per value. */
const CELLS = new Map<DuckDBTypeId, Cell>([
  [DuckDBTypeId.VARCHAR, (v) => v as string | null],
  [DuckDBTypeId.BOOLEAN, asText],
  [DuckDBTypeId.TINYINT, asText],
  [DuckDBTypeId.SMALLINT, asText],
  [DuckDBTypeId.INTEGER, asText],
  [DuckDBTypeId.BIGINT, asText],
  [DuckDBTypeId.HUGEINT, asText],
  [DuckDBTypeId.UTINYINT, asText],
  [DuckDBTypeId.USMALLINT, asText],
  [DuckDBTypeId.UINTEGER, asText],
  [DuckDBTypeId.UBIGINT, asText],
  [DuckDBTypeId.TIMESTAMP, asTimestamp],
]);

/**
 * Formats a result chunk column by column (as formatValue would value by value): the formatter
 * of each column is picked once per query from its type, so a large result (tens of thousands
 * of rows) spends its time reading values, not testing their classes.
 */
export function chunkFormatter(
  types: readonly DuckDBType[],
): (chunk: DuckDBDataChunk) => Array<Array<string | null>> {
  const cells = types.map((t) => CELLS.get(t.typeId) ?? formatValue);
  return (chunk) => {
    const n = chunk.rowCount;
    const rows: Array<Array<string | null>> = new Array(n);
    for (let r = 0; r < n; r++) rows[r] = new Array(cells.length);
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c] as Cell;
      const vector = chunk.getColumnVector(c);
      for (let r = 0; r < n; r++) (rows[r] as Array<string | null>)[c] = cell(vector.getItem(r));
    }
    return rows;
  };
}

const DAY_MS = 86_400_000;
/** 2^53 µs (the year 2255): below it a timestamp's microseconds are exact as a double. */
const MAX_FAST_MICROS = 9_007_199_254_740_992n;
/** The date part of the last day formatted: a result's timestamps are mostly of a few days. */
let cachedDay = Number.NaN;
let cachedDate = "";

function formatMicros(micros: bigint): string {
  // Timestamps of 1970 to 2255 (all of CloudTrail's) are formatted by arithmetic on exact
  // doubles, the day's date once; others as before, through Date.
  if (micros >= 0n && micros < MAX_FAST_MICROS) {
    const us = Number(micros);
    const ms = (us - (us % 1000)) / 1000;
    const day = Math.floor(ms / DAY_MS);
    if (day !== cachedDay) {
      cachedDate = new Date(day * DAY_MS).toISOString().slice(0, 10);
      cachedDay = day;
    }
    const t = ms - day * DAY_MS;
    const h = Math.floor(t / 3_600_000);
    const m = Math.floor(t / 60_000) % 60;
    const sec = Math.floor(t / 1000) % 60;
    const milli = t % 1000;
    return `${cachedDate} ${h < 10 ? "0" : ""}${h}:${m < 10 ? "0" : ""}${m}:${sec < 10 ? "0" : ""}${sec}.${milli < 10 ? "00" : milli < 100 ? "0" : ""}${milli}`;
  }
  const ms = Number(micros / 1000n);
  // DuckDB's infinite timestamps (and anything JavaScript dates cannot hold) print as digits.
  if (!(Math.abs(ms) <= 8.64e15)) return String(micros);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}
