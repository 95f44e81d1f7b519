import type { SelectItem } from "../sql/statement-check.js";

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Result column names as Lake (Trino) gives them (reference §5.3): an alias if there is one, a
 * column path's last part (`userIdentity.principalid` → `principalid`), and `_col<i>` for any
 * other unnamed expression, numbered by its position in the SELECT list. With `*` in the list
 * the positions no longer line up, so DuckDB's names are kept unless they are expression text.
 */
export function resultColumnNames(duckNames: string[], select: SelectItem[]): string[] {
  const hasStar = select.some((s) => s.class === "STAR");
  if (!hasStar && select.length === duckNames.length) {
    return select.map((item, i) => {
      if (item.alias) return item.alias;
      if (item.class === "COLUMN_REF") return duckNames[i] ?? `_col${i}`;
      return `_col${i}`;
    });
  }
  return duckNames.map((name, i) => (IDENTIFIER.test(name) ? name : `_col${i}`));
}
