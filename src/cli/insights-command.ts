import {
  CloudTrailClient,
  type Event,
  ListInsightsMetricDataCommand,
  type ListInsightsMetricDataResponse,
  LookupEventsCommand,
  type LookupEventsResponse,
} from "@aws-sdk/client-cloudtrail";
import type { Command } from "commander";
import { rateChart } from "../insights/index.js";

/**
 * `opentrail insights`: Insights of the last days, open and closed, newest first, each with its
 * API, type, rates against the baseline, duration, top caller and a text chart of the
 * per-minute rate (ListInsightsMetricData) around it. Endpoint, region and credentials as for
 * `opentrail lookup` (flags, AWS_ENDPOINT_URL, AWS_REGION, the SDK's credential chain).
 */
export function registerInsightsCommand(program: Command): void {
  program
    .command("insights")
    .description("list open and closed Insights with a chart of their rate against the baseline")
    .option("--endpoint-url <url>", "service endpoint (default: env AWS_ENDPOINT_URL, else AWS)")
    .option("--region <region>", "region (default: the AWS SDK's, e.g. env AWS_REGION)")
    .option("--days <n>", "look back this many days (default 7, at most 90)", Number, 7)
    .option("--end-time <time>", "look back from this ISO 8601 time instead of now", parseTime)
    .option("--limit <n>", "show at most this many Insights (default 10)", Number, 10)
    .option("--open", "only Insights still in progress")
    .option("--no-chart", "no rate chart")
    .action(async (flags: InsightsFlags) => {
      const client = new CloudTrailClient({ endpoint: flags.endpointUrl, region: flags.region });
      try {
        await runInsights(client, flags, (line) => process.stdout.write(`${line}\n`));
      } finally {
        client.destroy();
      }
    });
}

export interface InsightsFlags {
  endpointUrl?: string;
  region?: string;
  days: number;
  limit: number;
  open?: boolean;
  chart: boolean;
  /** End of the time window (default: now). */
  endTime?: Date;
}

function parseTime(value: string): Date {
  const d = new Date(/^\d+$/.test(value) ? Number(value) * 1000 : value);
  if (Number.isNaN(d.getTime())) throw new InsightsCommandError(`invalid time: ${value}`);
  return d;
}

export class InsightsCommandError extends Error {
  override name = "InsightsCommandError";
}

/** What runInsights needs of the SDK client. */
export interface InsightsClient {
  send(command: LookupEventsCommand): Promise<LookupEventsResponse>;
  send(command: ListInsightsMetricDataCommand): Promise<ListInsightsMetricDataResponse>;
}

interface Details {
  state: string;
  eventSource: string;
  eventName: string;
  insightType: "ApiCallRateInsight" | "ApiErrorRateInsight";
  errorCode?: string;
  insightContext: {
    statistics: { baseline: { average: number }; insight: { average: number }; insightDuration: number };
    attributions?: Array<{ attribute: string; insight: Array<{ value: string; average: number }> }>;
  };
}

interface Insight {
  start: Date;
  end?: Date;
  details: Details;
  final?: Details;
}

export async function runInsights(
  client: InsightsClient,
  flags: InsightsFlags,
  print: (line: string) => void,
): Promise<void> {
  if (!(flags.days > 0 && flags.days <= 90))
    throw new InsightsCommandError("--days must be between 1 and 90");
  if (!(Number.isInteger(flags.limit) && flags.limit > 0))
    throw new InsightsCommandError("--limit must be a positive integer");
  const now = flags.endTime ?? new Date();
  const insights = pair(await lookupInsights(client, new Date(now.getTime() - flags.days * 86_400_000), now));
  const shown = insights.filter((i) => !flags.open || !i.end).slice(0, flags.limit);
  if (shown.length === 0) {
    print(`No Insights in the last ${flags.days} days.`);
    return;
  }
  for (const i of shown) {
    for (const line of describe(i, now)) print(line);
    if (flags.chart) for (const line of await chart(client, i, now)) print(line);
    print("");
  }
}

async function lookupInsights(client: InsightsClient, start: Date, end: Date): Promise<Event[]> {
  const events: Event[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new LookupEventsCommand({ EventCategory: "insight", StartTime: start, EndTime: end, NextToken: token }),
    );
    events.push(...(page.Events ?? []));
    token = page.NextToken;
  } while (token && events.length < 5000);
  return events;
}

/** Start and End events joined by sharedEventID, newest start first. */
function pair(events: Event[]): Insight[] {
  const byId = new Map<string, Insight>();
  for (const e of events) {
    const record = JSON.parse(e.CloudTrailEvent ?? "{}") as {
      sharedEventID?: string;
      eventTime?: string;
      insightDetails?: Details;
    };
    const d = record.insightDetails;
    if (!record.sharedEventID || !d || !record.eventTime) continue;
    const entry = byId.get(record.sharedEventID) ?? { start: new Date(record.eventTime), details: d };
    if (d.state === "Start") {
      entry.start = new Date(record.eventTime);
      entry.details = d;
    } else {
      entry.end = new Date(record.eventTime);
      entry.final = d;
    }
    byId.set(record.sharedEventID, entry);
  }
  return [...byId.values()].sort((a, b) => b.start.getTime() - a.start.getTime());
}

const time = (d: Date) => `${d.toISOString().slice(0, 16).replace("T", " ")}Z`;
const rate = (x: number) => (x >= 10 ? x.toFixed(1) : x.toPrecision(3));

function describe(i: Insight, now: Date): string[] {
  const d = i.final ?? i.details;
  const { baseline, insight } = d.insightContext.statistics;
  const what = d.insightType === "ApiErrorRateInsight" ? `${d.errorCode ?? "errors"}/min` : "calls/min";
  const minutes = i.end
    ? Math.round((i.end.getTime() - i.start.getTime()) / 60_000)
    : Math.round((now.getTime() - i.start.getTime()) / 60_000);
  const ratio = baseline.average > 0 ? ` (${rate(insight.average / baseline.average)}x)` : "";
  const top = d.insightContext.attributions?.find((a) => a.attribute === "userIdentityArn")?.insight[0];
  const agent = d.insightContext.attributions?.find((a) => a.attribute === "userAgent")?.insight[0];
  return [
    `${i.end ? "CLOSED" : "OPEN  "}  ${time(i.start)}  ${d.eventSource} ${d.eventName}  ${d.insightType}${d.errorCode ? ` ${d.errorCode}` : ""}`,
    `        ${rate(insight.average)} ${what} vs baseline ${rate(baseline.average)}${ratio}, ${minutes} min${i.end ? ` until ${time(i.end)}` : " so far"}`,
    ...(top ? [`        top caller ${top.value}${agent ? ` (${agent.value})` : ""}`] : []),
  ];
}

async function chart(client: InsightsClient, i: Insight, now: Date): Promise<string[]> {
  const d = i.details;
  const from = new Date(i.start.getTime() - 30 * 60_000);
  const to = new Date(Math.min(now.getTime(), (i.end ?? now).getTime() + 15 * 60_000));
  const data = await client.send(
    new ListInsightsMetricDataCommand({
      EventSource: d.eventSource,
      EventName: d.eventName,
      InsightType: d.insightType,
      ErrorCode: d.insightType === "ApiErrorRateInsight" ? d.errorCode : undefined,
      StartTime: from,
      EndTime: to,
      Period: 60,
      DataType: "FillWithZeros",
    }),
  );
  const values = data.Values ?? [];
  if (values.length === 0) return ["        (no per-minute data)"];
  return [
    ...rateChart(values, d.insightContext.statistics.baseline.average),
    `        ${time(from)} … ${time(to)}, per minute; · baseline`,
  ];
}
