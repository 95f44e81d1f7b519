import { LakeErrors } from "../lake-errors.js";
import { rowsAtEnd } from "./rows-at-end.js";
import { storeTimeRanges, type TimeRange } from "./time-range.js";
import { readsWholeRecord } from "./whole-record.js";

/**
 * The sandbox's statement rules, applied to DuckDB's own parse tree of the query
 * (`json_serialize_sql`, which serialises SELECT statements only, so anything else is refused
 * before this runs). A query may read event data stores and its own CTEs, call scalar and
 * aggregate functions, and UNNEST arrays; it may not name files, schemas, catalogs or table
 * functions (read_csv, query, duckdb_settings, ...), nor call the functions that reveal the
 * configuration or execute other SQL. Each refusal is an InvalidQueryStatementException
 * naming what was refused. The DuckDB instance underneath is locked down as well (no external
 * access, locked configuration); these rules are the first wall, not the only one.
 */
export interface CheckedStatement {
  /** Lower-cased table names the query reads that are not its own CTEs. */
  tables: Set<string>;
  /** The outermost SELECT list, for naming result columns as Lake does. */
  selectList: SelectItem[];
  /** The eventTime range read of each table that is read with one (partition pruning). */
  timeRanges: Map<string, TimeRange>;
  /** The query gives its rows only at the end (ORDER BY, GROUP BY, aggregates): not streamed. */
  rowsAtEnd: boolean;
  /** The query may read eventJson/eventJsonChecksum, so the store views must have them. */
  wholeRecord: boolean;
}

export interface SelectItem {
  class: string;
  alias: string;
  columnNames?: string[];
}

type Node = Record<string, unknown>;

const TABLE_REF_TYPES = new Set([
  "BASE_TABLE",
  "JOIN",
  "SUBQUERY",
  "TABLE_FUNCTION",
  "EXPRESSION_LIST",
  "EMPTY",
]);
const ALLOWED_TABLE_FUNCTIONS = new Set(["unnest"]);
const DENIED_FUNCTIONS = new Set([
  "current_setting",
  "getvariable",
  "getenv",
  "json_execute_serialized_sql",
  "json_serialize_sql",
  "json_deserialize_sql",
  "json_serialize_plan",
  "query",
  "query_table",
  "current_database",
  "current_catalog",
  "current_schema",
  "current_schemas",
  "current_query",
  "pg_get_viewdef",
]);

const invalid = (message: string) => LakeErrors.invalidQueryStatement(message);

/** Checks the output of `json_serialize_sql(sql)`; throws InvalidQueryStatement on any refusal. */
export function checkStatement(serialized: string): CheckedStatement {
  const parsed = JSON.parse(serialized) as Node;
  if (parsed.error) {
    const message = String(parsed.error_message ?? "the statement could not be parsed");
    if (/Only SELECT statements/i.test(message))
      throw invalid("Only SELECT statements (optionally with WITH) are allowed in CloudTrail Lake queries.");
    throw invalid(`The query statement is not valid: ${message}`);
  }
  const statements = parsed.statements as Node[];
  if (statements.length !== 1)
    throw invalid(`A query must be exactly one SELECT statement; found ${statements.length}.`);
  const root = (statements[0] as Node).node as Node;
  const ctes = new Set<string>();
  collectCtes(root, ctes);
  const tables = new Set<string>();
  walk(root, ctes, tables);
  return {
    tables,
    selectList: outermostSelectList(root),
    timeRanges: storeTimeRanges(root, tables),
    rowsAtEnd: rowsAtEnd(root),
    wholeRecord: readsWholeRecord(root, ctes),
  };
}

function collectCtes(value: unknown, ctes: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) collectCtes(v, ctes);
  else if (value && typeof value === "object") {
    const node = value as Node;
    const map = (node.cte_map as { map?: Array<{ key: string }> } | undefined)?.map;
    for (const entry of map ?? []) ctes.add(entry.key.toLowerCase());
    if (typeof node.cte_name === "string") ctes.add(node.cte_name.toLowerCase());
    for (const v of Object.values(node)) collectCtes(v, ctes);
  }
}

function walk(value: unknown, ctes: Set<string>, tables: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, ctes, tables);
    return;
  }
  if (!value || typeof value !== "object") return;
  const node = value as Node;
  if (isTableRef(node)) checkTableRef(node, ctes, tables);
  if (typeof node.function_name === "string") checkFunction(node);
  for (const v of Object.values(node)) walk(v, ctes, tables);
}

/** Table references are the nodes with a `sample` slot and a table-ref `type`. */
function isTableRef(node: Node): boolean {
  return "sample" in node && typeof node.type === "string" && !("select_list" in node);
}

function checkTableRef(node: Node, ctes: Set<string>, tables: Set<string>): void {
  const type = node.type as string;
  if (!TABLE_REF_TYPES.has(type))
    throw invalid(`${type.replace(/_REF$/, "")} is not allowed in CloudTrail Lake queries.`);
  if (type === "TABLE_FUNCTION") {
    const name = String((node.function as Node | undefined)?.function_name ?? "").toLowerCase();
    if (!ALLOWED_TABLE_FUNCTIONS.has(name))
      throw invalid(
        `The table function ${name} is not allowed; a query reads event data stores only (FROM <event data store ID>).`,
      );
  }
  if (type !== "BASE_TABLE") return;
  const name = String(node.table_name);
  if (node.schema_name || node.catalog_name)
    throw invalid(
      `Qualified table names (${[node.catalog_name, node.schema_name, name].filter(Boolean).join(".")}) are not allowed; use the event data store ID.`,
    );
  if (node.at_clause) throw invalid("Time travel (AT) is not supported.");
  if (/[/\\.]/.test(name) && !ctes.has(name.toLowerCase()))
    throw invalid(`Reading files (${name}) is not allowed; a query reads event data stores only.`);
  if (!ctes.has(name.toLowerCase())) tables.add(name.toLowerCase());
}

function checkFunction(node: Node): void {
  const name = String(node.function_name).toLowerCase();
  if (node.catalog || (node.schema && node.schema !== "main"))
    throw invalid(`Qualified function names (${String(node.schema)}.${name}) are not allowed.`);
  if (DENIED_FUNCTIONS.has(name) || name.startsWith("duckdb_") || name.startsWith("pragma_"))
    throw invalid(`The function ${name} is not allowed in CloudTrail Lake queries.`);
}

function outermostSelectList(root: Node): SelectItem[] {
  let node = root;
  // A set operation takes its column names from its left-most SELECT, as in Trino.
  while (node.type === "SET_OPERATION_NODE" && node.left) node = node.left as Node;
  const list = (node.select_list as Node[] | undefined) ?? [];
  return list.map((item) => ({
    class: String(item.class),
    alias: String(item.alias ?? ""),
    columnNames: Array.isArray(item.column_names) ? (item.column_names as string[]) : undefined,
  }));
}
