/**
 * The eventTime range a query reads of each event data store, from DuckDB's parse tree, so a
 * query leases only the day partitions that can hold matching events (a day's files are then
 * the only ones DuckDB opens; min/max statistics do the rest inside them). Conservative by
 * construction: a bound comes only from a top-level AND of the WHERE clause of the SELECT whose
 * FROM names the store (eventTime, or alias.eventTime, compared with a date or timestamp
 * literal); a store read anywhere without such a bound is read whole. Pruning is safe there
 * because a row whose eventTime is outside the bound fails that WHERE, even after an outer join
 * (its columns would be NULL, and NULL fails the comparison too).
 */
export interface TimeRange {
  /** Inclusive bounds in epoch milliseconds (±Infinity when open). */
  from: number;
  to: number;
}

type Node = Record<string, unknown>;

const LITERAL = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?Z?$/;
const LOWER = new Set(["COMPARE_GREATERTHAN", "COMPARE_GREATERTHANOREQUALTO"]);
const UPPER = new Set(["COMPARE_LESSTHAN", "COMPARE_LESSTHANOREQUALTO"]);
const FLIP: Record<string, string> = {
  COMPARE_GREATERTHAN: "COMPARE_LESSTHAN",
  COMPARE_GREATERTHANOREQUALTO: "COMPARE_LESSTHANOREQUALTO",
  COMPARE_LESSTHAN: "COMPARE_GREATERTHAN",
  COMPARE_LESSTHANOREQUALTO: "COMPARE_GREATERTHANOREQUALTO",
  COMPARE_EQUAL: "COMPARE_EQUAL",
};

/** The range of each store in `stores` (lower-cased IDs) that the whole query reads bounded. */
export function storeTimeRanges(root: unknown, stores: Set<string>): Map<string, TimeRange> {
  const seen = new Map<string, number>();
  countStoreRefs(root, stores, seen);
  const bounded = new Map<string, TimeRange[]>();
  visitSelects(root, (select) => {
    for (const [store, range] of boundsOfSelect(select, stores)) {
      bounded.set(store, [...(bounded.get(store) ?? []), range]);
    }
  });
  const out = new Map<string, TimeRange>();
  for (const [store, ranges] of bounded) {
    if (ranges.length !== seen.get(store)) continue;
    const from = Math.min(...ranges.map((r) => r.from));
    const to = Math.max(...ranges.map((r) => r.to));
    if (from > -Infinity || to < Infinity) out.set(store, { from, to });
  }
  return out;
}

function isObject(v: unknown): v is Node {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  return isObject(v) ? Object.values(v) : [];
}

function countStoreRefs(v: unknown, stores: Set<string>, seen: Map<string, number>): void {
  if (isObject(v) && v.type === "BASE_TABLE" && typeof v.table_name === "string") {
    const name = v.table_name.toLowerCase();
    if (stores.has(name)) seen.set(name, (seen.get(name) ?? 0) + 1);
  }
  for (const c of children(v)) countStoreRefs(c, stores, seen);
}

function visitSelects(v: unknown, fn: (select: Node) => void): void {
  if (isObject(v) && "select_list" in v && "from_table" in v) fn(v);
  for (const c of children(v)) visitSelects(c, fn);
}

/** The FROM's table references, through joins (not into subqueries). */
function fromRefs(from: unknown, out: Node[]): Node[] {
  if (!isObject(from)) return out;
  if (from.type === "JOIN") {
    fromRefs(from.left, out);
    fromRefs(from.right, out);
  } else if (from.type !== "EMPTY") out.push(from);
  return out;
}

function boundsOfSelect(select: Node, stores: Set<string>): Map<string, TimeRange> {
  const refs = fromRefs(select.from_table, []);
  const out = new Map<string, TimeRange>();
  const conjuncts = andTerms(select.where_clause);
  for (const ref of refs) {
    if (ref.type !== "BASE_TABLE" || typeof ref.table_name !== "string") continue;
    const store = ref.table_name.toLowerCase();
    if (!stores.has(store)) continue;
    const name = String(ref.alias || ref.table_name).toLowerCase();
    const range: TimeRange = { from: -Infinity, to: Infinity };
    for (const term of conjuncts) narrow(range, term, (col) => refersTo(col, name, refs.length === 1));
    out.set(store, range);
  }
  return out;
}

function andTerms(where: unknown): Node[] {
  if (!isObject(where)) return [];
  if (where.type === "CONJUNCTION_AND") return (where.children as unknown[]).flatMap(andTerms);
  return [where];
}

function refersTo(col: unknown, name: string, onlyTable: boolean): boolean {
  if (!isObject(col) || col.class !== "COLUMN_REF" || !Array.isArray(col.column_names)) return false;
  const parts = (col.column_names as string[]).map((p) => p.toLowerCase());
  if (parts.length === 1) return onlyTable && parts[0] === "eventtime";
  return parts.length === 2 && parts[0] === name && parts[1] === "eventtime";
}

function narrow(range: TimeRange, term: Node, isEventTime: (n: unknown) => boolean): void {
  if (term.class === "BETWEEN" && isEventTime(term.input)) {
    const lo = literalTime(term.lower);
    const hi = literalTime(term.upper);
    if (lo !== undefined) range.from = Math.max(range.from, lo);
    if (hi !== undefined) range.to = Math.min(range.to, hi);
    return;
  }
  if (term.class !== "COMPARISON") return;
  let type = String(term.type);
  let value: unknown;
  if (isEventTime(term.left)) value = term.right;
  else if (isEventTime(term.right)) {
    value = term.left;
    type = FLIP[type] ?? "";
  } else return;
  const t = literalTime(value);
  if (t === undefined) return;
  if (LOWER.has(type) || type === "COMPARE_EQUAL") range.from = Math.max(range.from, t);
  if (UPPER.has(type) || type === "COMPARE_EQUAL") range.to = Math.min(range.to, t);
}

/** A date or timestamp literal ('2024-03-01', '2024-03-01 10:00:00', TIMESTAMP '...') in UTC. */
function literalTime(v: unknown): number | undefined {
  if (!isObject(v)) return undefined;
  if (v.class === "CAST") {
    const target = String((v.cast_type as Node | undefined)?.id ?? "");
    return target === "TIMESTAMP" || target === "DATE" ? literalTime(v.child) : undefined;
  }
  if (v.class !== "CONSTANT") return undefined;
  const value = v.value as Node | undefined;
  if (!value || value.is_null || typeof value.value !== "string") return undefined;
  const m = LITERAL.exec(value.value.trim());
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2] ?? "00:00"}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}
