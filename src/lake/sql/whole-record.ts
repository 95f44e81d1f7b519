type Node = Record<string, unknown>;

/** Lake's whole-record columns (lower case), computed from every column of a row. */
const RECORD_COLUMNS = new Set(["eventjson", "eventjsonchecksum"]);

/**
 * Whether a query may read the whole-record columns eventJson and eventJsonChecksum: it names
 * one, selects `*` (or COLUMNS(...)), or names a table, alias or CTE as a value (a whole row,
 * e.g. `to_json(t)`), which DuckDB allows. Otherwise the store views leave those columns out:
 * binding them (a JSON text of all columns) costs more than a small query's own planning.
 * Conservative: a name that is both a column and a table counts as a row.
 */
export function readsWholeRecord(root: Node, ctes: ReadonlySet<string>): boolean {
  const names = new Set(ctes);
  collectTableNames(root, names);
  return refersToRecord(root, names);
}

function collectTableNames(value: unknown, names: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectTableNames(v, names);
    return;
  }
  if (!value || typeof value !== "object") return;
  const node = value as Node;
  if ("sample" in node && typeof node.type === "string" && !("select_list" in node)) {
    if (typeof node.table_name === "string") names.add(node.table_name.toLowerCase());
    if (typeof node.alias === "string" && node.alias) names.add(node.alias.toLowerCase());
  }
  for (const v of Object.values(node)) collectTableNames(v, names);
}

function refersToRecord(value: unknown, tables: ReadonlySet<string>): boolean {
  if (Array.isArray(value)) return value.some((v) => refersToRecord(v, tables));
  if (!value || typeof value !== "object") return false;
  const node = value as Node;
  if (node.class === "STAR") return true;
  if (node.class === "COLUMN_REF" && Array.isArray(node.column_names)) {
    const parts = (node.column_names as string[]).map((p) => p.toLowerCase());
    if (parts.some((p) => RECORD_COLUMNS.has(p))) return true;
    if (parts.length === 1 && tables.has(parts[0] as string)) return true;
  }
  return Object.values(node).some((v) => refersToRecord(v, tables));
}
