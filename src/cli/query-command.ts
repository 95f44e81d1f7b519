import {
  CancelQueryCommand,
  CloudTrailClient,
  DescribeQueryCommand,
  GetQueryResultsCommand,
  StartQueryCommand,
} from "@aws-sdk/client-cloudtrail";
import type { Command } from "commander";

/**
 * `opentrail query "<sql>"`: a CloudTrail Lake query from the command line, through the API like
 * the AWS CLI (StartQuery, DescribeQuery until it settles, GetQueryResults page by page).
 * Endpoint, region and credentials come from the flags or the SDK's usual sources
 * (AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles). Progress
 * goes to stderr while the query runs; Ctrl-C cancels it.
 */
export function registerQueryCommand(program: Command): void {
  program
    .command("query <sql>")
    .description("run a CloudTrail Lake SQL query (FROM <event data store ID>) and print the rows")
    .option("--endpoint-url <url>", "service endpoint (default: env AWS_ENDPOINT_URL, else AWS)")
    .option("--region <region>", "region (default: the AWS SDK's, e.g. env AWS_REGION)")
    .option("--output <format>", "table, csv or json", "table")
    .action(async (sql: string, flags: QueryFlags) => {
      if (!["table", "csv", "json"].includes(flags.output))
        throw new QueryCommandError(`unknown --output ${flags.output}`);
      const client = new CloudTrailClient({ endpoint: flags.endpointUrl, region: flags.region });
      try {
        const rows = await runQuery(client, sql, (s) => process.stderr.isTTY && process.stderr.write(s));
        process.stdout.write(formatRows(rows, flags.output));
      } finally {
        client.destroy();
      }
    });
}

interface QueryFlags {
  endpointUrl?: string;
  region?: string;
  output: string;
}

export class QueryCommandError extends Error {
  override name = "QueryCommandError";
}

export interface QueryResult {
  columns: string[];
  rows: Array<Array<string | null>>;
}

export async function runQuery(
  client: CloudTrailClient,
  sql: string,
  progress: (s: string) => unknown,
): Promise<QueryResult> {
  const { QueryId } = await client.send(new StartQueryCommand({ QueryStatement: sql }));
  const cancel = () => void client.send(new CancelQueryCommand({ QueryId })).catch(() => undefined);
  process.once("SIGINT", cancel);
  const started = Date.now();
  try {
    for (let delay = 50; ; delay = Math.min(delay * 2, 1000)) {
      const d = await client.send(new DescribeQueryCommand({ QueryId }));
      const status = d.QueryStatus ?? "";
      progress(
        `\r${status.padEnd(9)} ${((Date.now() - started) / 1000).toFixed(1)} s, ${d.QueryStatistics?.EventsScanned ?? 0} events scanned `,
      );
      if (status === "FINISHED") break;
      if (status !== "QUEUED" && status !== "RUNNING")
        throw new QueryCommandError(
          `query ${QueryId} ${status}${d.ErrorMessage ? `: ${d.ErrorMessage}` : ""}`,
        );
      await new Promise((r) => setTimeout(r, delay));
    }
    progress("\r\x1b[K");
    const result: QueryResult = { columns: [], rows: [] };
    let token: string | undefined;
    do {
      const page = await client.send(
        new GetQueryResultsCommand({ QueryId, NextToken: token, MaxQueryResults: 1000 }),
      );
      for (const row of page.QueryResultRows ?? []) {
        if (result.columns.length === 0) result.columns = row.map((c) => Object.keys(c)[0] ?? "");
        result.rows.push(row.map((c) => Object.values(c)[0] ?? null));
      }
      token = page.NextToken;
    } while (token);
    return result;
  } finally {
    process.removeListener("SIGINT", cancel);
  }
}

export function formatRows(r: QueryResult, output: string): string {
  if (output === "json")
    return `${JSON.stringify(
      r.rows.map((row) => Object.fromEntries(r.columns.map((c, i) => [c, row[i]]))),
      null,
      2,
    )}\n`;
  if (output === "csv") return [r.columns, ...r.rows].map((row) => `${row.map(csv).join(",")}\n`).join("");
  if (r.columns.length === 0) return "(no rows)\n";
  const widths = r.columns.map((c, i) =>
    Math.min(60, Math.max(c.length, ...r.rows.map((row) => (row[i] ?? "").length))),
  );
  const line = (cells: Array<string | null>) =>
    cells
      .map((v, i) => cut(v ?? "", widths[i] as number).padEnd(widths[i] as number))
      .join("  ")
      .trimEnd();
  return `${[line(r.columns), widths.map((w) => "-".repeat(w)).join("  "), ...r.rows.map(line)].join("\n")}\n(${r.rows.length} rows)\n`;
}

function cut(s: string, w: number): string {
  return s.length <= w ? s : `${s.slice(0, w - 1)}…`;
}

function csv(v: string | null): string {
  if (v === null) return "";
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}
