import { clear, field, h } from "../dom.js";
import {
  attempt,
  bounds,
  button,
  copyText,
  csv,
  download,
  fmtTime,
  pager,
  type TimeRange,
  table,
  timeRangeControl,
} from "../ui.js";
import {
  ATTRIBUTE_KEYS,
  type Attribute,
  type AttributeKey,
  type LookupEvent,
  type LookupQuery,
  lookupPage,
  record,
} from "./lookup.js";

const LABELS: Record<AttributeKey, string> = {
  EventName: "Event name",
  Username: "User name",
  ResourceName: "Resource name",
  ResourceType: "Resource type",
  EventSource: "Event source",
  EventId: "Event ID",
  AccessKeyId: "AWS access key",
  ReadOnly: "Read-only",
};

interface HistoryState {
  attributes: Attribute[];
  range: TimeRange;
  insight: boolean;
}

function fromParams(p: URLSearchParams): HistoryState {
  const attributes = ATTRIBUTE_KEYS.flatMap((k) => p.getAll(k).map((v): Attribute => [k, v]));
  const range = {
    preset: p.has("range") ? Number(p.get("range")) : 86400,
    start: p.get("start") ?? undefined,
    end: p.get("end") ?? undefined,
  };
  return { attributes, range, insight: p.get("category") === "insight" };
}

function toHash(s: HistoryState): string {
  const p = new URLSearchParams();
  for (const [k, v] of s.attributes) if (v) p.append(k, v);
  p.set("range", String(s.range.preset));
  if (s.range.preset === 0) {
    if (s.range.start) p.set("start", s.range.start);
    if (s.range.end) p.set("end", s.range.end);
  }
  if (s.insight) p.set("category", "insight");
  return `#/history?${p}`;
}

const go = (s: HistoryState) => {
  location.hash = toHash(s);
};

function query(s: HistoryState): LookupQuery {
  return Object.assign(
    { attributes: s.attributes.filter(([, v]) => v), insight: s.insight },
    bounds(s.range),
  );
}

/** Event history: LookupEvents with filters, paging, details and downloads. */
export async function historyPage(main: HTMLElement, params: URLSearchParams): Promise<void> {
  const state = fromParams(params);
  const results = h("div", { class: "results", "aria-live": "polite" });
  const detail = h("aside", { class: "detail", hidden: true, "aria-label": "Event details" });
  clear(
    main,
    h("h1", null, "Event history"),
    filterForm(state),
    h("div", { class: "split" }, results, detail),
  );
  const tokens: Array<string | undefined> = [undefined];
  let pageNo = 0;

  const showDetail = (e: LookupEvent) => {
    const json = JSON.stringify(record(e), null, 2);
    const heading = h("h2", { tabindex: "-1" }, e.EventName ?? "Event");
    const close = () => {
      detail.hidden = true;
    };
    clear(
      detail,
      h(
        "div",
        { class: "row spread" },
        heading,
        button("Close", close, { "aria-label": "Close event details" }),
      ),
      h("p", { class: "muted" }, fmtTime(e.EventTime), " · ", e.EventId ?? ""),
      button("Copy JSON", () => void copyText(json).then(() => (copied.textContent = "Copied."))),
      h("span", { role: "status", class: "muted" }),
      h("pre", { class: "json", tabindex: "0", "aria-label": "Event record (JSON)" }, json),
    );
    const copied = detail.querySelector("[role=status]") as HTMLElement;
    detail.hidden = false;
    detail.onkeydown = (ev) => {
      if (ev.key === "Escape") close();
    };
    heading.focus();
  };

  const filterBy = (key: AttributeKey, value: string) => {
    go(
      Object.assign({}, state, {
        attributes: [...state.attributes.filter(([k]) => k !== key), [key, value] as Attribute],
      }),
    );
  };

  const load = async () => {
    clear(results, h("p", { class: "muted", role: "status" }, "Loading events…"));
    const page = await attempt(() => lookupPage(query(state), tokens[pageNo]), results);
    if (!page) return;
    tokens[pageNo + 1] = page.next;
    const rows = page.events;
    const nav = pager(pageNo, Boolean(page.next), (n) => {
      pageNo = n;
      void load();
    });
    clear(
      results,
      page.filteredHere
        ? h(
            "p",
            { class: "hint" },
            "This server combines one lookup attribute per call (OPENTRAIL_COMBINE_LOOKUP_ATTRIBUTES=false): the others are applied in the browser.",
          )
        : null,
      table(
        `Events, page ${pageNo + 1}`,
        [
          { title: "Event time", cell: (e) => fmtTime(e.EventTime) },
          {
            title: "User name",
            cell: (e) =>
              e.Username
                ? button(e.Username, () => filterBy("Username", e.Username as string), {
                    class: "link",
                    title: `Events by ${e.Username}`,
                  })
                : "—",
          },
          {
            title: "Event name",
            cell: (e) =>
              button(e.EventName ?? "(event)", () => showDetail(e), {
                class: "link",
                title: "Show the event record",
              }),
          },
          { title: "Event source", cell: (e) => e.EventSource ?? "—" },
          {
            title: "Resources",
            cell: (e) =>
              (e.Resources ?? []).length
                ? h(
                    "span",
                    null,
                    (e.Resources ?? []).map((r) =>
                      button(r.ResourceName ?? "", () => filterBy("ResourceName", r.ResourceName ?? ""), {
                        class: "link",
                        title: `${r.ResourceType ?? ""}: events on this resource`,
                      }),
                    ),
                  )
                : "—",
          },
          { title: "Source IP address", cell: (e) => String(record(e).sourceIPAddress ?? "—") },
          {
            title: "Error code",
            cell: (e) => {
              const c = record(e).errorCode;
              return c ? h("span", { class: "bad" }, String(c)) : "";
            },
          },
        ],
        rows,
        "No events match these filters in this time range.",
        (e) => ({ "data-event-id": e.EventId ?? "" }),
      ),
      nav,
    );
  };

  main.querySelector("#download-json")?.addEventListener("click", () => void exportEvents(state, "json"));
  main.querySelector("#download-csv")?.addEventListener("click", () => void exportEvents(state, "csv"));
  await load();
}

function filterForm(state: HistoryState): HTMLElement {
  const rows = h("div", { class: "attrs" });
  const addRow = (key: AttributeKey = "EventName", value = "") => {
    const n = rows.children.length + 1;
    const keySel = h(
      "select",
      { name: "attributeKey" },
      ATTRIBUTE_KEYS.filter((k) => k !== "ReadOnly").map((k) =>
        h("option", { value: k, selected: k === key }, LABELS[k]),
      ),
    );
    const val = h("input", { name: "attributeValue", value, placeholder: "Exact value" });
    const row = h(
      "div",
      { class: "row attr" },
      field(`Lookup attribute ${n}`, keySel),
      field(`Value ${n}`, val),
      button("Remove", () => row.remove(), { "aria-label": `Remove lookup attribute ${n}` }),
    );
    rows.append(row);
  };
  for (const [k, v] of state.attributes) if (k !== "ReadOnly") addRow(k, v);
  if (rows.children.length === 0) addRow();
  const readOnly = h(
    "select",
    { name: "readOnly" },
    h("option", { value: "" }, "Read and write"),
    h(
      "option",
      { value: "true", selected: state.attributes.some(([k, v]) => k === "ReadOnly" && v === "true") },
      "Read-only events",
    ),
    h(
      "option",
      { value: "false", selected: state.attributes.some(([k, v]) => k === "ReadOnly" && v === "false") },
      "Write events",
    ),
  );
  const category = h(
    "select",
    { name: "category" },
    h("option", { value: "" }, "Management events"),
    h("option", { value: "insight", selected: state.insight }, "Insights events"),
  );
  let range = state.range;
  const form = h(
    "form",
    { class: "card filters", "aria-label": "Filters" },
    rows,
    h(
      "div",
      { class: "row" },
      button("Add attribute", () => addRow()),
      field("Read/write", readOnly),
      field("Event category", category),
      timeRangeControl(range, (r) => (range = r)),
    ),
    h(
      "div",
      { class: "row" },
      h("button", { type: "submit", class: "primary" }, "Apply filters"),
      button("Clear filters", () => go({ attributes: [], range: { preset: 86400 }, insight: false })),
      h("button", { type: "button", id: "download-json" }, "Download JSON"),
      h("button", { type: "button", id: "download-csv" }, "Download CSV"),
    ),
  );
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const attributes: Attribute[] = [];
    for (const row of rows.querySelectorAll(".attr")) {
      const k = (row.querySelector("select") as HTMLSelectElement).value as AttributeKey;
      const v = (row.querySelector("input") as HTMLInputElement).value.trim();
      if (v) attributes.push([k, v]);
    }
    if (readOnly.value) attributes.push(["ReadOnly", readOnly.value]);
    const next = { attributes, range, insight: category.value === "insight" };
    if (toHash(next) === location.hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
    else go(next);
  });
  return form;
}

/** Every event the filters match (up to 10,000), as JSON records or CSV rows. */
async function exportEvents(state: HistoryState, format: "json" | "csv"): Promise<void> {
  const events: LookupEvent[] = [];
  const q = query(state);
  await attempt(async () => {
    let token: string | undefined;
    do {
      const page = await lookupPage(q, token);
      events.push(...page.events);
      token = page.next;
    } while (token && events.length < 10_000);
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  if (format === "json") {
    download(`events-${stamp}.json`, "application/json", JSON.stringify(events.map(record), null, 2));
    return;
  }
  download(
    `events-${stamp}.csv`,
    "text/csv",
    csv(
      [
        "eventTime",
        "userName",
        "eventName",
        "eventSource",
        "resources",
        "sourceIPAddress",
        "errorCode",
        "eventID",
        "readOnly",
      ],
      events.map((e) => {
        const r = record(e);
        return [
          fmtTime(e.EventTime),
          e.Username,
          e.EventName,
          e.EventSource,
          (e.Resources ?? []).map((x) => `${x.ResourceType}:${x.ResourceName}`).join(" "),
          r.sourceIPAddress as string,
          r.errorCode as string,
          e.EventId,
          e.ReadOnly,
        ];
      }),
    ),
  );
}
