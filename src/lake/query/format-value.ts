import {
  DuckDBArrayValue,
  DuckDBListValue,
  DuckDBMapValue,
  DuckDBStructValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
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

function formatMicros(micros: bigint): string {
  const ms = Number(micros / 1000n);
  // DuckDB's infinite timestamps (and anything JavaScript dates cannot hold) print as digits.
  if (!(Math.abs(ms) <= 8.64e15)) return String(micros);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}
