import { KEEP_CHARS, type ResultRow } from "./result-file.js";

/** Rows of recent results kept in memory, at most this many JSON characters in all. */
const BUDGET_CHARS = 4 * KEEP_CHARS;

/**
 * The rows of the latest small results, so GetQueryResults pages of a query just run (what
 * clients read, page after page, right after it finishes) come from memory instead of each
 * page opening, reading and parsing the result file. The file stays the record: anything not
 * here (older, larger, or from before a restart) is read from it.
 */
export class RecentResults {
  private readonly results = new Map<string, { rows: ResultRow[]; chars: number }>();
  private chars = 0;

  /** Keeps a finished query's rows, dropping the oldest kept results past the budget. */
  keep(queryId: string, rows: ResultRow[], chars: number): void {
    this.forget(queryId);
    this.results.set(queryId, { rows, chars });
    this.chars += chars;
    for (const [id, kept] of this.results) {
      if (this.chars <= BUDGET_CHARS) break;
      this.results.delete(id);
      this.chars -= kept.chars;
    }
  }

  /** Rows [start, start + max) of the query's result, or undefined if it is not kept. */
  rows(queryId: string, start: number, max: number): ResultRow[] | undefined {
    return this.results.get(queryId)?.rows.slice(start, start + max);
  }

  forget(queryId: string): void {
    const kept = this.results.get(queryId);
    if (!kept) return;
    this.results.delete(queryId);
    this.chars -= kept.chars;
  }
}
