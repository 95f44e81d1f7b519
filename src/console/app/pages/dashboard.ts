import { allPages } from "../api.js";
import { barChart, lineChart, type Series } from "../chart.js";
import { clear, h } from "../dom.js";
import { ago, attempt, table } from "../ui.js";
import { type LookupEvent, record } from "./lookup.js";
import { lastError, type TrailRow, trailsWithStatus } from "./trails.js";

const SAMPLE = 1000;
const HOUR = 3_600_000;

function top(values: Array<string | undefined>, n = 8): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const v of values) if (v) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]).slice(0, n);
}

function perHour(events: LookupEvent[], from: number): Array<[number, number]> {
  const buckets = new Map<number, number>();
  for (let t = from; t <= Date.now(); t += HOUR) buckets.set(t, 0);
  for (const e of events) {
    const t = from + Math.floor(((e.EventTime ?? 0) * 1000 - from) / HOUR) * HOUR;
    if (buckets.has(t)) buckets.set(t, (buckets.get(t) ?? 0) + 1);
  }
  return [...buckets];
}

function health(r: TrailRow): [string, string] {
  if (lastError(r.status)) return ["Delivery failing", "bad"];
  if (!r.status.IsLogging) return ["Stopped", "warn"];
  if (!r.status.LatestDeliveryTime) return ["No delivery yet", "warn"];
  return ["Healthy", "ok"];
}

/**
 * Dashboard of the last 24 hours from event history: the most recent events (up to 1,000) per
 * hour by category, top users and error codes among them, and every trail's delivery health.
 */
export async function dashboardPage(main: HTMLElement): Promise<void> {
  const activity = h("div", { class: "card" }, h("p", { class: "muted", role: "status" }, "Loading events…"));
  const users = h("div", { class: "card" });
  const errors = h("div", { class: "card" });
  const trails = h("div", { class: "card" });
  clear(main, h("h1", null, "Dashboard"), activity, h("div", { class: "grid" }, users, errors), trails);
  const end = Math.ceil(Date.now() / 1000);
  const from = Math.floor((Date.now() - 23 * HOUR) / HOUR) * HOUR;
  const range = { StartTime: Math.floor(from / 1000), EndTime: end };
  const [events, insights, trailRows] = await Promise.all([
    attempt(
      () =>
        allPages<LookupEvent>(
          "LookupEvents",
          Object.assign({ MaxResults: 50 }, range),
          (o) => (o.Events ?? []) as LookupEvent[],
          SAMPLE,
        ),
      activity,
    ),
    attempt(() =>
      allPages<LookupEvent>(
        "LookupEvents",
        Object.assign({ MaxResults: 50, EventCategory: "insight" }, range),
        (o) => (o.Events ?? []) as LookupEvent[],
        SAMPLE,
      ),
    ),
    attempt(trailsWithStatus, trails),
  ]);
  if (events) {
    const series: Series[] = [
      {
        name: "Management, read-only",
        points: perHour(
          events.filter((e) => e.ReadOnly === "true"),
          from,
        ),
      },
      {
        name: "Management, write",
        points: perHour(
          events.filter((e) => e.ReadOnly !== "true"),
          from,
        ),
      },
      { name: "Insights", points: perHour(insights ?? [], from) },
    ];
    const failed = events.map(record).map((r) => r.errorCode as string | undefined);
    clear(
      activity,
      h("h2", null, "Events over time by category (per hour, last 24 hours)"),
      events.length >= SAMPLE
        ? h("p", { class: "hint" }, `Based on the ${SAMPLE} most recent events.`)
        : null,
      events.length === 0
        ? h("p", { class: "empty" }, "No events in the last 24 hours.")
        : lineChart(series, {
            label: `Events per hour: ${events.length} management events, ${insights?.length ?? 0} Insights events`,
            time: true,
          }),
    );
    const topUsers = top(events.map((e) => e.Username));
    clear(
      users,
      h("h2", null, "Top users"),
      topUsers.length ? barChart(topUsers, "Events per user") : h("p", { class: "empty" }, "No users yet."),
      topList("Top users", "User", topUsers),
    );
    const topErrors = top(failed);
    clear(
      errors,
      h("h2", null, "Top error codes"),
      topErrors.length
        ? barChart(topErrors, "Failed calls per error code")
        : h("p", { class: "empty" }, "No failed calls in the last 24 hours."),
      topList("Top error codes", "Error code", topErrors),
    );
  }
  if (trailRows) {
    clear(
      trails,
      h("h2", null, "Trail delivery health"),
      table(
        "Trail delivery health",
        [
          { title: "Trail", cell: (r) => h("a", { href: "#/trails" }, r.Name ?? "") },
          {
            title: "Health",
            cell: (r) => {
              const [label, cls] = health(r);
              return h("span", { class: `badge ${cls}` }, label);
            },
          },
          { title: "Last delivery", cell: (r) => ago(r.status.LatestDeliveryTime) },
          {
            title: "Last error",
            cell: (r) =>
              lastError(r.status) ? h("span", { class: "bad" }, lastError(r.status) ?? "") : "none",
          },
        ],
        trailRows,
        "No trails: events are kept in event history only. Create a trail to deliver log files.",
      ),
    );
  }
}

function topList(caption: string, what: string, rows: Array<[string, number]>): HTMLElement | null {
  if (rows.length === 0) return null;
  return table(
    caption,
    [
      { title: what, cell: (r) => r[0] },
      { title: "Events", cell: (r) => String(r[1]) },
    ],
    rows,
    "",
  );
}
