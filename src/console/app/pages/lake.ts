import { allPages, cloudtrail } from "../api.js";
import { barChart, lineChart } from "../chart.js";
import { clear, field, h } from "../dom.js";
import { attempt, button, csv, download, fmtTime, pager, table } from "../ui.js";

interface Store {
  EventDataStoreArn?: string;
  Name?: string;
  Status?: string;
  RetentionPeriod?: number;
  MultiRegionEnabled?: boolean;
  CreatedTimestamp?: number;
  AdvancedEventSelectors?: unknown[];
}

interface QueryInfo {
  QueryId?: string;
  QueryStatus?: string;
  CreationTime?: number;
}

interface Described {
  QueryId?: string;
  QueryString?: string;
  QueryStatus?: string;
  ErrorMessage?: string;
  QueryStatistics?: {
    EventsMatched?: number;
    EventsScanned?: number;
    BytesScanned?: number;
    ExecutionTimeInMillis?: number;
    CreationTime?: number;
  };
}

type Row = Record<string, string>;

const storeId = (s: Store) => s.EventDataStoreArn?.split("/").pop() ?? "";

export const SAMPLE_QUERIES: Array<[string, string]> = [
  [
    "Events per hour",
    "SELECT date_trunc('hour', eventTime) AS hour, count(*) AS events FROM $EDS GROUP BY 1 ORDER BY 1",
  ],
  [
    "Most called APIs",
    "SELECT eventSource, eventName, COUNT(*) AS apiCount FROM $EDS GROUP BY eventSource, eventName ORDER BY apiCount DESC LIMIT 20",
  ],
  [
    "Top error codes",
    "SELECT errorCode, COUNT(*) AS eventCount FROM $EDS WHERE errorCode IS NOT NULL GROUP BY errorCode ORDER BY eventCount DESC LIMIT 10",
  ],
  [
    "Calls by user",
    "SELECT userIdentity.arn AS userArn, COUNT(*) AS calls FROM $EDS GROUP BY userIdentity.arn ORDER BY calls DESC LIMIT 20",
  ],
  [
    "Recent write calls",
    "SELECT eventTime, eventSource, eventName, userIdentity.arn AS userArn, sourceIPAddress FROM $EDS WHERE readOnly = false ORDER BY eventTime DESC LIMIT 100",
  ],
];

const SELECTOR_TEMPLATES: Array<[string, unknown[] | undefined]> = [
  ["Management and data events (default)", undefined],
  [
    "Management events only",
    [{ Name: "Management events", FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }] }],
  ],
  [
    "Insights events (an Insights destination)",
    [{ Name: "Insights events", FieldSelectors: [{ Field: "eventCategory", Equals: ["Insight"] }] }],
  ],
];

const FINISHED = new Set(["FINISHED", "FAILED", "CANCELLED", "TIMED_OUT"]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A query's rows as objects, columns in the order of the first row. */
function toRows(rows: Array<Array<Record<string, string>>> | undefined): { columns: string[]; rows: Row[] } {
  const out = (rows ?? []).map((r) => Object.assign({}, ...r) as Row);
  const columns = (rows?.[0] ?? []).map((c) => Object.keys(c)[0] ?? "");
  return { columns, rows: out };
}

/** A chart when the result has a time or category column next to a number column. */
export function resultChart(columns: string[], rows: Row[]): HTMLElement | null {
  if (rows.length < 2) return null;
  const numeric = columns.filter((c) =>
    rows.every((r) => r[c] !== undefined && r[c] !== "" && Number.isFinite(Number(r[c]))),
  );
  const value = numeric.at(-1);
  if (!value) return null;
  const time = columns.find(
    (c) =>
      c !== value &&
      /time|date|hour|day|minute|week|month/i.test(c) &&
      rows.every((r) => !Number.isNaN(Date.parse(`${(r[c] ?? "").replace(" ", "T").slice(0, 19)}Z`))),
  );
  if (time) {
    const points = rows.map((r): [number, number] => [
      Date.parse(`${(r[time] ?? "").replace(" ", "T").slice(0, 19)}Z`),
      Number(r[value]),
    ]);
    return lineChart([{ name: value, points }], { label: `${value} by ${time}`, time: true });
  }
  const category = columns.find((c) => !numeric.includes(c));
  if (!category) return null;
  return barChart(
    rows.slice(0, 20).map((r) => [r[category] ?? "", Number(r[value])]),
    `${value} by ${category}`,
  );
}

/** CloudTrail Lake: event data stores, a query editor with samples, results, history. */
export async function lakePage(main: HTMLElement): Promise<void> {
  const storesBox = h("div");
  const editorBox = h("div", { class: "card" });
  const resultsBox = h("div", { "aria-live": "polite" });
  const historyBox = h("div", { class: "card" });
  clear(main, h("h1", null, "Lake"), storesBox, editorBox, resultsBox, historyBox);
  const stores = await attempt(
    () => allPages<Store>("ListEventDataStores", {}, (o) => (o.EventDataStores ?? []) as Store[]),
    storesBox,
  );
  if (!stores) return;
  renderStores(storesBox, stores);
  const live = stores.filter((s) => s.Status === "ENABLED");
  if (live.length === 0) {
    clear(editorBox, h("p", { class: "empty" }, "Create an event data store to query events with SQL."));
    return;
  }
  const storeSel = h(
    "select",
    { name: "store" },
    live.map((s) => h("option", { value: storeId(s) }, `${s.Name} (${storeId(s)})`)),
  );
  const sql = h("textarea", { name: "sql", rows: "5", spellcheck: "false" });
  const sample = (q: string) => q.replace("$EDS", storeSel.value);
  sql.value = sample(SAMPLE_QUERIES[0]?.[1] ?? "");
  const status = h("p", { role: "status", class: "muted" });
  const run = async () => {
    status.textContent = "Starting query…";
    const started = await attempt(
      () => cloudtrail<{ QueryId?: string }>("StartQuery", { QueryStatement: sql.value }),
      resultsBox,
    );
    if (!started?.QueryId) {
      status.textContent = "";
      return;
    }
    await showQuery(started.QueryId, resultsBox, status);
    await renderHistory(historyBox, storeSel.value, resultsBox, status);
  };
  storeSel.addEventListener(
    "change",
    () => void renderHistory(historyBox, storeSel.value, resultsBox, status),
  );
  const form = h(
    "form",
    { "aria-label": "Query editor" },
    h("h2", null, "Query"),
    field("Event data store", storeSel),
    h(
      "div",
      { class: "row", role: "group", "aria-label": "Sample queries" },
      h("span", { class: "muted" }, "Sample queries:"),
      SAMPLE_QUERIES.map(([name, q]) =>
        button(
          name,
          () => {
            sql.value = sample(q);
            sql.focus();
          },
          { class: "link" },
        ),
      ),
    ),
    field("SQL (FROM the event data store's ID)", sql, "Ctrl+Enter runs the query"),
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Run query"), status),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void run();
  });
  sql.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      void run();
    }
  });
  clear(editorBox, form);
  await renderHistory(historyBox, storeSel.value, resultsBox, status);
}

function renderStores(box: HTMLElement, stores: Store[]): void {
  const name = h("input", { name: "storeName", required: true });
  const retention = h("input", { name: "retention", type: "number", min: "7", max: "3653", value: "2557" });
  const template = h(
    "select",
    { name: "selectors" },
    SELECTOR_TEMPLATES.map(([label], i) => h("option", { value: String(i) }, label)),
  );
  const multi = h("input", { type: "checkbox", name: "multiRegion", checked: true });
  const errors = h("div", { role: "alert" });
  const form = h(
    "form",
    { class: "card", "aria-label": "Create event data store", hidden: true },
    h("h2", null, "Create event data store"),
    h(
      "div",
      { class: "row" },
      field("Name", name),
      field("Retention (days)", retention),
      field("Event selectors", template),
      h("label", null, multi, " Multi-region"),
    ),
    errors,
    h(
      "div",
      { class: "row" },
      h("button", { type: "submit", class: "primary" }, "Create event data store"),
      button("Cancel", () => (form.hidden = true)),
    ),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    void (async () => {
      const selectors = SELECTOR_TEMPLATES[Number(template.value)]?.[1];
      const input = Object.assign(
        {
          Name: name.value.trim(),
          RetentionPeriod: Number(retention.value),
          MultiRegionEnabled: multi.checked,
        },
        selectors ? { AdvancedEventSelectors: selectors } : {},
      );
      const ok = await attempt(() => cloudtrail("CreateEventDataStore", input), errors);
      if (ok) location.reload();
    })();
  });
  clear(
    box,
    h(
      "div",
      { class: "row spread" },
      h("h2", null, "Event data stores"),
      button("Create event data store", () => {
        form.hidden = false;
        name.focus();
      }),
    ),
    form,
    table(
      "Event data stores",
      [
        { title: "Name", cell: (s) => s.Name ?? "" },
        { title: "ID", cell: (s) => h("code", null, storeId(s)) },
        {
          title: "Status",
          cell: (s) =>
            h("span", { class: `badge ${s.Status === "ENABLED" ? "ok" : "warn"}` }, s.Status ?? ""),
        },
        { title: "Retention", cell: (s) => `${s.RetentionPeriod ?? "—"} days` },
        {
          title: "Selectors",
          cell: (s) =>
            h(
              "code",
              null,
              JSON.stringify(
                s.AdvancedEventSelectors?.map((a) => (a as { Name?: string }).Name ?? "selector") ?? [],
              ),
            ),
        },
        { title: "Created", cell: (s) => fmtTime(s.CreatedTimestamp) },
      ],
      stores,
      "No event data stores yet.",
    ),
  );
}

/** Waits for a query to finish, then shows its results page by page. */
async function showQuery(queryId: string, box: HTMLElement, status: HTMLElement): Promise<void> {
  let d: Described | undefined;
  for (let i = 0; ; i++) {
    d = await attempt(() => cloudtrail<Described>("DescribeQuery", { QueryId: queryId }), box);
    if (!d) return;
    status.textContent = `Query ${queryId}: ${d.QueryStatus}`;
    if (FINISHED.has(d.QueryStatus ?? "")) break;
    await sleep(Math.min(250 * (i + 1), 1000));
  }
  if (d.QueryStatus !== "FINISHED") {
    clear(box, h("p", { class: "error" }, `Query ${d.QueryStatus}: ${d.ErrorMessage ?? ""}`));
    return;
  }
  const tokens: Array<string | undefined> = [undefined];
  let pageNo = 0;
  const load = async () => {
    const out = await attempt(
      () =>
        cloudtrail<{
          QueryResultRows?: Array<Array<Record<string, string>>>;
          NextToken?: string;
          QueryStatistics?: { TotalResultsCount?: number };
        }>(
          "GetQueryResults",
          Object.assign(
            { QueryId: queryId, MaxQueryResults: 50 },
            tokens[pageNo] ? { NextToken: tokens[pageNo] } : {},
          ),
        ),
      box,
    );
    if (!out) return;
    tokens[pageNo + 1] = out.NextToken;
    const { columns, rows } = toRows(out.QueryResultRows);
    const stats = d?.QueryStatistics ?? {};
    clear(
      box,
      h(
        "div",
        { class: "card" },
        h(
          "div",
          { class: "row spread" },
          h("h2", null, "Results"),
          button("Export CSV", () => void exportCsv(queryId)),
        ),
        h(
          "p",
          { class: "muted" },
          `${out.QueryStatistics?.TotalResultsCount ?? rows.length} rows · ${stats.EventsScanned ?? 0} events scanned · ${stats.BytesScanned ?? 0} bytes · ${stats.ExecutionTimeInMillis ?? 0} ms`,
        ),
        pageNo === 0 ? resultChart(columns, rows) : null,
        table(
          `Query results, page ${pageNo + 1}`,
          columns.map((c) => ({ title: c, cell: (r: Row) => r[c] ?? "" })),
          rows,
          "The query returned no rows.",
        ),
        pager(pageNo, Boolean(out.NextToken), (n) => {
          pageNo = n;
          void load();
        }),
      ),
    );
  };
  await load();
}

async function exportCsv(queryId: string): Promise<void> {
  const pages = await attempt(() =>
    allPages<Array<Record<string, string>>>(
      "GetQueryResults",
      { QueryId: queryId },
      (o) => (o.QueryResultRows ?? []) as Array<Array<Record<string, string>>>,
      1_000_000,
    ),
  );
  if (!pages) return;
  const { columns, rows } = toRows(pages);
  download(
    `query-${queryId}.csv`,
    "text/csv",
    csv(
      columns,
      rows.map((r) => columns.map((c) => r[c])),
    ),
  );
}

async function renderHistory(
  box: HTMLElement,
  store: string,
  results: HTMLElement,
  status: HTMLElement,
): Promise<void> {
  const queries = await attempt(
    () =>
      allPages<QueryInfo>(
        "ListQueries",
        { EventDataStore: store },
        (o) => (o.Queries ?? []) as QueryInfo[],
        10,
      ),
    box,
  );
  if (!queries) return;
  const described = await Promise.all(
    queries.map((q) =>
      cloudtrail<Described>("DescribeQuery", { QueryId: q.QueryId }).catch(() => ({}) as Described),
    ),
  );
  clear(
    box,
    h("h2", null, "Query history"),
    table(
      "Recent queries on this event data store",
      [
        {
          title: "Query",
          cell: (d: Described) =>
            button(d.QueryId ?? "", () => void showQuery(d.QueryId ?? "", results, status), {
              class: "link",
              title: d.QueryString ?? "",
            }),
        },
        {
          title: "Status",
          cell: (d) =>
            h(
              "span",
              {
                class: `badge ${d.QueryStatus === "FINISHED" ? "ok" : d.QueryStatus === "FAILED" ? "bad" : "warn"}`,
              },
              d.QueryStatus ?? "",
            ),
        },
        { title: "Created", cell: (d) => fmtTime(d.QueryStatistics?.CreationTime) },
        { title: "Events matched", cell: (d) => String(d.QueryStatistics?.EventsMatched ?? "—") },
        { title: "Events scanned", cell: (d) => String(d.QueryStatistics?.EventsScanned ?? "—") },
        { title: "Bytes scanned", cell: (d) => String(d.QueryStatistics?.BytesScanned ?? "—") },
        { title: "Run time (ms)", cell: (d) => String(d.QueryStatistics?.ExecutionTimeInMillis ?? "—") },
        { title: "SQL", cell: (d) => h("code", { class: "sql" }, (d.QueryString ?? "").slice(0, 80)) },
      ],
      described,
      "No queries on this event data store yet.",
    ),
  );
}
