import {
  CloudTrailClient,
  type Event,
  type LookupAttribute,
  LookupEventsCommand,
  type LookupEventsResponse,
} from "@aws-sdk/client-cloudtrail";
import type { Command } from "commander";

/**
 * `opentrail lookup` (alias `events`): CloudTrail event history from the command line, through
 * the official SDK (so it works against OpenTrail and AWS alike). Endpoint, region and
 * credentials come from the flags or the SDK's usual sources (AWS_ENDPOINT_URL, AWS_REGION,
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles). Pages are fetched with NextToken until
 * the history or --max-items is exhausted.
 */
export function registerLookupCommand(program: Command): void {
  program
    .command("lookup")
    .alias("events")
    .description("look up management (or Insights) events of the last 90 days, newest first")
    .option("--endpoint-url <url>", "service endpoint (default: env AWS_ENDPOINT_URL, else AWS)")
    .option("--region <region>", "region (default: the AWS SDK's, e.g. env AWS_REGION)")
    .option(
      "--lookup-attributes <attribute>",
      "AttributeKey=<key>,AttributeValue=<value> (or <key>=<value>); repeatable",
      (v: string, all: LookupAttribute[]) => [...all, parseLookupAttribute(v)],
      [] as LookupAttribute[],
    )
    .option("--start-time <time>", "ISO 8601 time or epoch seconds", parseTime)
    .option("--end-time <time>", "ISO 8601 time or epoch seconds", parseTime)
    .option("--max-items <n>", "stop after this many events", parsePositiveInt)
    .option("--event-category <category>", "`insight` for Insights events")
    .option("--output <format>", "table or json", "table")
    .action(async (flags: LookupFlags) => {
      if (flags.output !== "table" && flags.output !== "json")
        throw new LookupCommandError(`unknown --output ${flags.output}`);
      const client = new CloudTrailClient({ endpoint: flags.endpointUrl, region: flags.region });
      try {
        await runLookup(client, flags, (line) => process.stdout.write(`${line}\n`));
      } finally {
        client.destroy();
      }
    });
}

export interface LookupFlags {
  endpointUrl?: string;
  region?: string;
  lookupAttributes: LookupAttribute[];
  startTime?: Date;
  endTime?: Date;
  maxItems?: number;
  eventCategory?: string;
  output: string;
}

/** Errors the CLI prints as one line (the program's error handler keys on the `Error` suffix). */
export class LookupCommandError extends Error {
  override name = "LookupCommandError";
}

/** What runLookup needs of the SDK client. */
export interface LookupClient {
  send(command: LookupEventsCommand): Promise<LookupEventsResponse>;
}

/** Pages through LookupEvents and prints a table (streamed page by page) or one JSON document. */
export async function runLookup(
  client: LookupClient,
  flags: LookupFlags,
  print: (line: string) => void,
): Promise<void> {
  const all: Event[] = [];
  let widths: ColumnWidths | undefined;
  let token: string | undefined;
  let left = flags.maxItems ?? Number.POSITIVE_INFINITY;
  do {
    const page = await client
      .send(
        new LookupEventsCommand({
          LookupAttributes: flags.lookupAttributes.length > 0 ? flags.lookupAttributes : undefined,
          StartTime: flags.startTime,
          EndTime: flags.endTime,
          EventCategory: flags.eventCategory as "insight" | undefined,
          MaxResults: Math.min(50, left),
          NextToken: token,
        }),
      )
      .catch((e: unknown) => {
        throw new LookupCommandError(`${(e as Error).name}: ${(e as Error).message}`);
      });
    const events = (page.Events ?? []).slice(0, left);
    left -= events.length;
    token = page.NextToken;
    if (flags.output === "json") {
      all.push(...events);
      continue;
    }
    const rows = events.map(eventRow);
    if (!widths) {
      widths = columnWidths(rows);
      print(formatRow(HEADER, widths));
    }
    for (const row of rows) print(formatRow(row, widths));
  } while (token && left > 0);
  if (flags.output === "json") print(JSON.stringify({ Events: all }, null, 2));
  else if (!widths) print("no events");
}

/** `AttributeKey=Username,AttributeValue=alice` (either order), or the shorthand `Username=alice`. */
export function parseLookupAttribute(text: string): LookupAttribute {
  const keyFirst = /^AttributeKey=([^,]*),AttributeValue=(.*)$/s.exec(text);
  if (keyFirst)
    return { AttributeKey: keyFirst[1] as LookupAttribute["AttributeKey"], AttributeValue: keyFirst[2] };
  const valueFirst = /^AttributeValue=(.*),AttributeKey=([^,]*)$/s.exec(text);
  if (valueFirst)
    return { AttributeKey: valueFirst[2] as LookupAttribute["AttributeKey"], AttributeValue: valueFirst[1] };
  const short = /^([A-Za-z]+)=(.*)$/s.exec(text);
  if (short && short[1] !== "AttributeKey" && short[1] !== "AttributeValue") {
    return { AttributeKey: short[1] as LookupAttribute["AttributeKey"], AttributeValue: short[2] };
  }
  throw new LookupCommandError(
    `invalid --lookup-attributes ${JSON.stringify(text)}: use AttributeKey=<key>,AttributeValue=<value>`,
  );
}

/** ISO 8601 (e.g. 2024-05-01T10:00:00Z) or epoch seconds. */
export function parseTime(text: string): Date {
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (!Number.isFinite(ms))
    throw new LookupCommandError(`invalid time ${JSON.stringify(text)}: use ISO 8601 or epoch seconds`);
  return new Date(ms);
}

export function parsePositiveInt(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < 1)
    throw new LookupCommandError(`invalid number ${JSON.stringify(text)}`);
  return n;
}

/** One table line's worth of an event. */
export interface EventRow {
  time: string;
  user: string;
  event: string;
  source: string;
  resource: string;
  sourceIp: string;
  error: string;
}

const HEADER: EventRow = {
  time: "TIME",
  user: "USER",
  event: "EVENT",
  source: "SOURCE",
  resource: "RESOURCE",
  sourceIp: "SOURCE IP",
  error: "ERROR",
};
const COLUMNS = ["time", "user", "event", "source", "resource", "sourceIp", "error"] as const;
type ColumnWidths = Record<(typeof COLUMNS)[number], number>;
const MAX_WIDTH: ColumnWidths = {
  time: 20,
  user: 32,
  event: 40,
  source: 36,
  resource: 60,
  sourceIp: 39,
  error: 40,
};

/** The row of an event; source IP and error code come from the record in CloudTrailEvent. */
export function eventRow(e: Event): EventRow {
  let record: { sourceIPAddress?: unknown; errorCode?: unknown } = {};
  try {
    record = JSON.parse(e.CloudTrailEvent ?? "{}") as typeof record;
  } catch {
    // Not JSON: show what the Event itself has.
  }
  const resources = e.Resources ?? [];
  const first = resources[0]?.ResourceName ?? resources[0]?.ResourceType ?? "";
  return {
    time: e.EventTime ? `${e.EventTime.toISOString().slice(0, 19)}Z` : "",
    user: e.Username ?? "",
    event: e.EventName ?? "",
    source: e.EventSource ?? "",
    resource: resources.length > 1 ? `${first} (+${resources.length - 1})` : first,
    sourceIp: typeof record.sourceIPAddress === "string" ? record.sourceIPAddress : "",
    error: typeof record.errorCode === "string" ? record.errorCode : "",
  };
}

export function columnWidths(rows: EventRow[]): ColumnWidths {
  const widths = {} as ColumnWidths;
  for (const c of COLUMNS) {
    widths[c] = Math.min(MAX_WIDTH[c], Math.max(HEADER[c].length, ...rows.map((r) => r[c].length)));
  }
  return widths;
}

/** Columns padded to `widths` (longer values cut with "…"), two spaces apart, no trailing blanks. */
export function formatRow(row: EventRow, widths: ColumnWidths): string {
  const cells = COLUMNS.map((c) => {
    const v = row[c].replace(/\s+/g, " ");
    return v.length > widths[c] ? `${v.slice(0, widths[c] - 1)}…` : v.padEnd(widths[c]);
  });
  return cells.join("  ").trimEnd();
}

/** The whole table for a list of events: header and one line per event. */
export function formatEventTable(events: Event[]): string[] {
  const rows = events.map(eventRow);
  const widths = columnWidths(rows);
  return [formatRow(HEADER, widths), ...rows.map((r) => formatRow(r, widths))];
}
