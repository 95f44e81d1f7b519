type Node = Record<string, unknown>;

/** Aggregate functions as DuckDB's parser names them (`count(*)` is count_star). */
const AGGREGATES = new Set(
  `count_star count count_if sum avg mean min max min_by max_by arg_min arg_max any_value arbitrary
   approx_count_distinct approx_distinct bool_and bool_or every string_agg listagg list array_agg
   histogram median stddev stddev_samp variance`.split(/\s+/),
);

/**
 * Whether the outermost query of a parse tree (`json_serialize_sql`'s statement node) gives its
 * rows only once it has read all its input: it sorts (ORDER BY), groups (GROUP BY) or
 * aggregates the whole input (count(*), max(x), ...). Streaming such a query gains nothing —
 * not even partial results on a timeout, as there are none before the end — so the engine runs
 * it to completion in one call, which DuckDB does faster than feeding a stream. Anything else
 * (a scan, LIMIT, DISTINCT, window functions) may give rows early and is streamed.
 */
export function rowsAtEnd(root: Node): boolean {
  const modifiers = (root.modifiers as Node[] | undefined) ?? [];
  if (modifiers.some((m) => m.type === "ORDER_MODIFIER")) return true;
  if (root.type !== "SELECT_NODE") return false;
  if (((root.group_expressions as unknown[] | undefined) ?? []).length > 0) return true;
  if (root.aggregate_handling === "FORCE_AGGREGATES") return true;
  return ((root.select_list as unknown[] | undefined) ?? []).some(hasAggregate);
}

/** An aggregate call in an expression, outside window functions and subqueries. */
function hasAggregate(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasAggregate);
  if (!value || typeof value !== "object") return false;
  const node = value as Node;
  if (node.class === "WINDOW" || node.class === "SUBQUERY") return false;
  if (node.class === "FUNCTION" && AGGREGATES.has(String(node.function_name).toLowerCase())) return true;
  return Object.values(node).some(hasAggregate);
}
