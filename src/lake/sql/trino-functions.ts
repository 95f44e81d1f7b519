/**
 * The Trino (Presto 0.266) functions CloudTrail Lake users write, provided on DuckDB as macros
 * so that a Lake query runs as written instead of being translated by hand (reference §5.1).
 * A macro in `main` shadows DuckDB's built-in function of the same name, which is how
 * `element_at`, `date_add`, `millisecond` and `slice` get Trino's semantics here. Functions
 * DuckDB already has with Trino's meaning (date_trunc, map_keys, map_values, json_extract,
 * json_array_length, array_distinct, hour, year, ...) are left alone.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-limitations.html
 */
export const TRINO_MACROS: readonly string[] = [
  // Maps and arrays. `c[k]` is a map lookup (value or NULL) and a 1-based array index in DuckDB.
  "element_at(c, k) AS c[k]",
  // One macro for maps and arrays: DuckDB's cardinality takes maps only and len arrays only.
  "cardinality(c) AS CASE json_type(to_json(c)) WHEN 'OBJECT' THEN len(json_keys(to_json(c))) ELSE json_array_length(to_json(c)) END",
  "contains(a, x) AS list_contains(a, x)",
  "array_max(a) AS list_max(a)",
  "array_min(a) AS list_min(a)",
  "array_join(a, sep) AS array_to_string(a, sep)",
  "slice(a, s, n) AS list_slice(a, CASE WHEN s > 0 THEN s ELSE len(a) + s + 1 END, (CASE WHEN s > 0 THEN s ELSE len(a) + s + 1 END) + n - 1)",
  // JSON. Trino's json_extract_scalar is NULL for objects and arrays.
  "json_parse(s) AS json(s)",
  "json_format(j) AS CAST(j AS VARCHAR)",
  "is_json_scalar(j) AS json_type(json(j)) NOT IN ('OBJECT', 'ARRAY')",
  "json_extract_scalar(j, p) AS CASE WHEN json_type(json(j), p) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(json(j), p) END",
  "json_array_contains(j, v) AS list_contains(json_extract_string(json(j), '$[*]'), CAST(v AS VARCHAR))",
  "json_array_get(j, i) AS json_extract(json(j), CASE WHEN i >= 0 THEN '$[' || i || ']' ELSE '$[#' || i || ']' END)",
  // Dates and times (timestamps are UTC; Trino's day_of_week is ISO, Monday = 1).
  "date(x) AS CAST(x AS DATE)",
  "date_add(unit, n, ts) AS ts + CAST(n || ' ' || unit AS INTERVAL)",
  "date_diff(unit, a, b) AS datesub(unit, a, b)",
  "day_of_month(x) AS dayofmonth(x)",
  "day_of_week(x) AS isodow(x)",
  "dow(x) AS isodow(x)",
  "day_of_year(x) AS dayofyear(x)",
  "doy(x) AS dayofyear(x)",
  "week_of_year(x) AS weekofyear(x)",
  "year_of_week(x) AS isoyear(x)",
  "yow(x) AS isoyear(x)",
  "millisecond(x) AS CAST(floor(epoch_ms(CAST(x AS TIMESTAMP))) AS BIGINT) % 1000",
  "from_iso8601_timestamp(s) AS CAST(s AS TIMESTAMPTZ)",
  "from_iso8601_date(s) AS CAST(s AS DATE)",
  "to_iso8601(x) AS strftime(CAST(x AS TIMESTAMP), '%Y-%m-%dT%H:%M:%S.%gZ')",
  "from_unixtime(n) AS to_timestamp(n)",
  "to_unixtime(x) AS epoch(x)",
  "date_format(x, f) AS strftime(x, replace(replace(replace(f, '%i', '%M'), '%s', '%S'), '%T', '%H:%M:%S'))",
  // strptime needs a constant format, so date_parse takes DuckDB's specifiers (%M for minutes).
  "date_parse(s, f) AS strptime(s, f)",
  // Strings and aggregates.
  "regexp_like(s, p) AS regexp_matches(s, p)",
  "approx_distinct(x) AS approx_count_distinct(x)",
];

/** `CREATE MACRO` statements, run once per query engine before its configuration is locked. */
export function trinoMacroSql(): string[] {
  return TRINO_MACROS.map((m) => `CREATE OR REPLACE MACRO ${m}`);
}
