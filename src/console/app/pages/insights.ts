import { allPages, cloudtrail } from "../api.js";
import { lineChart } from "../chart.js";
import { clear, field, h } from "../dom.js";
import { attempt, bounds, fmtTime, type TimeRange, table, timeRangeControl } from "../ui.js";
import { type LookupEvent, record } from "./lookup.js";

interface ValueAverage {
  value: string;
  average: number;
}

interface Details {
  state: "Start" | "End";
  eventSource: string;
  eventName: string;
  insightType: string;
  errorCode?: string;
  insightContext: {
    statistics: { baseline: { average: number }; insight: { average: number }; insightDuration: number };
    attributions?: Array<{ attribute: string; insight: ValueAverage[]; baseline: ValueAverage[] }>;
  };
}

interface Insight {
  id: string;
  start: number;
  end?: number;
  details: Details;
  final?: Details;
}

/** Start and End events joined by sharedEventID, newest first. */
export function pairInsights(events: LookupEvent[]): Insight[] {
  const byId = new Map<string, Insight>();
  for (const e of events) {
    const r = record(e) as { sharedEventID?: string; eventTime?: string; insightDetails?: Details };
    const d = r.insightDetails;
    if (!r.sharedEventID || !d || !r.eventTime) continue;
    const at = Date.parse(r.eventTime);
    const entry = byId.get(r.sharedEventID) ?? { id: r.sharedEventID, start: at, details: d };
    if (d.state === "Start") Object.assign(entry, { start: at, details: d });
    else Object.assign(entry, { end: at, final: d });
    byId.set(r.sharedEventID, entry);
  }
  return [...byId.values()].sort((a, b) => b.start - a.start);
}

const ATTRIBUTE_NAMES: Record<string, string> = {
  userIdentityArn: "Top users",
  userAgent: "Top user agents",
  errorCode: "Top error codes",
};
const rate = (x: number) => (x >= 10 ? x.toFixed(1) : x.toPrecision(3));

/** Insights: open and closed, each with its rate against the baseline and its attributions. */
export async function insightsPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  let range: TimeRange = {
    preset: Number(params.get("range") ?? 7 * 86400),
    start: params.get("start") ?? undefined,
    end: params.get("end") ?? undefined,
  };
  const state = h(
    "select",
    { name: "state" },
    h("option", { value: "" }, "Open and closed"),
    h("option", { value: "open", selected: params.get("state") === "open" }, "Open"),
    h("option", { value: "closed", selected: params.get("state") === "closed" }, "Closed"),
  );
  const form = h(
    "form",
    { class: "card", "aria-label": "Insights filters" },
    h(
      "div",
      { class: "row" },
      field("State", state),
      timeRangeControl(range, (r) => (range = r)),
      h("button", { type: "submit", class: "primary" }, "Show Insights"),
    ),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const p = new URLSearchParams({ range: String(range.preset) });
    if (range.preset === 0) {
      if (range.start) p.set("start", range.start);
      if (range.end) p.set("end", range.end);
    }
    if (state.value) p.set("state", state.value);
    location.hash = `#/insights?${p}`;
  });
  const list = h(
    "div",
    { "aria-live": "polite" },
    h("p", { class: "muted", role: "status" }, "Loading Insights…"),
  );
  clear(main, h("h1", null, "Insights"), form, list);
  const events = await attempt(
    () =>
      allPages<LookupEvent>(
        "LookupEvents",
        Object.assign({ EventCategory: "insight", MaxResults: 50 }, bounds(range)),
        (o) => (o.Events ?? []) as LookupEvent[],
        5000,
      ),
    list,
  );
  if (!events) return;
  const shown = pairInsights(events).filter(
    (i) => !state.value || (state.value === "open") === (i.end === undefined),
  );
  if (shown.length === 0) {
    clear(
      list,
      h(
        "p",
        { class: "empty" },
        "No Insights in this time range. Insights appear when a trail or event data store has Insights on (PutInsightSelectors) and an API's call or error rate becomes unusual.",
      ),
    );
    return;
  }
  clear(
    list,
    shown.slice(0, 50).map((i) => insightCard(i)),
  );
}

function insightCard(i: Insight): HTMLElement {
  const d = i.final ?? i.details;
  const { baseline, insight } = d.insightContext.statistics;
  const what =
    d.insightType === "ApiErrorRateInsight" ? `${d.errorCode ?? "errors"} per minute` : "calls per minute";
  const chartBox = h("div", null, h("p", { class: "muted" }, "Loading the rate…"));
  const card = h(
    "article",
    { class: "card insight", "aria-label": `${d.eventName} ${d.insightType}` },
    h(
      "div",
      { class: "row spread" },
      h("h2", null, `${d.eventSource} ${d.eventName}`),
      h("span", { class: `badge ${i.end ? "ok" : "bad"}` }, i.end ? "Closed" : "Open"),
    ),
    h(
      "p",
      null,
      `${d.insightType}${d.errorCode ? ` (${d.errorCode})` : ""} · started ${fmtTime(new Date(i.start).toISOString())}${i.end ? ` · ended ${fmtTime(new Date(i.end).toISOString())}` : " · in progress"}`,
    ),
    h(
      "p",
      null,
      h("strong", null, `${rate(insight.average)} ${what}`),
      ` against a baseline of ${rate(baseline.average)}${baseline.average > 0 ? ` (${rate(insight.average / baseline.average)}x)` : ""}, ${d.insightContext.statistics.insightDuration} min`,
    ),
    chartBox,
    h(
      "div",
      { class: "grid" },
      (d.insightContext.attributions ?? []).map((a) =>
        table(
          ATTRIBUTE_NAMES[a.attribute] ?? a.attribute,
          [
            { title: "Value", cell: (v: ValueAverage) => v.value },
            { title: "During the Insight (avg/min)", cell: (v) => rate(v.average) },
            {
              title: "Baseline (avg/min)",
              cell: (v) => {
                const b = a.baseline.find((x) => x.value === v.value);
                return b ? rate(b.average) : "—";
              },
            },
          ],
          a.insight,
          "No attribution.",
        ),
      ),
    ),
  );
  void drawChart(i, d, chartBox);
  return card;
}

async function drawChart(i: Insight, d: Details, box: HTMLElement): Promise<void> {
  const from = i.start - 30 * 60_000;
  const to = Math.min(Date.now(), (i.end ?? Date.now()) + 15 * 60_000);
  const out = await attempt(
    () =>
      cloudtrail<{ Timestamps?: number[]; Values?: number[] }>(
        "ListInsightsMetricData",
        Object.assign(
          {
            EventSource: d.eventSource,
            EventName: d.eventName,
            InsightType: d.insightType,
            StartTime: Math.floor(from / 1000),
            EndTime: Math.ceil(to / 1000),
            Period: 60,
            DataType: "FillWithZeros",
          },
          d.insightType === "ApiErrorRateInsight" && d.errorCode ? { ErrorCode: d.errorCode } : {},
        ),
      ),
    box,
  );
  if (!out) return;
  const points = (out.Timestamps ?? []).map((t, k): [number, number] => [t * 1000, out.Values?.[k] ?? 0]);
  const baseline = d.insightContext.statistics.baseline.average;
  clear(
    box,
    lineChart([{ name: "per-minute rate", points }], {
      label: `${d.eventName} rate per minute against its baseline ${baseline}, unusual window shaded`,
      time: true,
      baseline,
      shade: [i.start, i.end ?? to],
    }),
  );
}
