/**
 * Lake queries name event data stores by their bare ID, e.g.
 * `FROM 4f0e2a0c-8d61-4c52-9f37-5b2f1a0e6c11` (reference §5.1), which no SQL parser reads as
 * one identifier. This quotes every such ID outside string literals, quoted identifiers and
 * comments, so the statement parses and the ID is one table name. Pure; nothing else changes.
 */
const STORE_ID = /[0-9A-Za-z]{8}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{4}-[0-9A-Za-z]{12}/y;
const IDENT = /[0-9A-Za-z_$]/;

export function quoteStoreIds(sql: string): string {
  let out = "";
  let i = 0;
  while (i < sql.length) {
    const skip = skipQuotedOrComment(sql, i);
    if (skip > i) {
      out += sql.slice(i, skip);
      i = skip;
      continue;
    }
    STORE_ID.lastIndex = i;
    const m = STORE_ID.exec(sql);
    const end = m ? i + m[0].length : i;
    if (m && !IDENT.test(sql[i - 1] ?? "") && !IDENT.test(sql[end] ?? "")) {
      out += `"${m[0]}"`;
      i = end;
      continue;
    }
    // Step over a whole word so an ID is never matched from inside a longer identifier.
    let j = i + 1;
    if (IDENT.test(sql[i] as string)) while (j < sql.length && IDENT.test(sql[j] as string)) j++;
    out += sql.slice(i, j);
    i = j;
  }
  return out;
}

/** End of the literal, quoted identifier or comment starting at `i`, or `i` if none does. */
function skipQuotedOrComment(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"') {
    let j = i + 1;
    while (j < sql.length) {
      if (sql[j] === c) {
        if (sql[j + 1] === c) j += 2;
        else return j + 1;
      } else j++;
    }
    return sql.length;
  }
  if (c === "-" && sql[i + 1] === "-") {
    const nl = sql.indexOf("\n", i);
    return nl < 0 ? sql.length : nl;
  }
  if (c === "/" && sql[i + 1] === "*") {
    const close = sql.indexOf("*/", i + 2);
    return close < 0 ? sql.length : close + 2;
  }
  return i;
}
