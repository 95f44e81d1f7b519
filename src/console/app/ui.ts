import { ApiError } from "./api.js";
import { clear, field, h } from "./dom.js";

/** Shows a failure plainly in the page's alert banner (role=alert). */
export function showError(e: unknown): void {
  const banner = document.getElementById("banner");
  if (!banner) return;
  const text = e instanceof ApiError ? e.explain() : e instanceof Error ? e.message : String(e);
  clear(
    banner,
    h(
      "div",
      { class: "error" },
      h("strong", null, "Error: "),
      text,
      " ",
      h("button", { type: "button", class: "link", onclick: () => clear(banner) }, "Dismiss"),
    ),
  );
}

export function showNotice(text: string): void {
  const banner = document.getElementById("banner");
  if (banner) clear(banner, h("div", { class: "notice", role: "status" }, text));
}

export function clearBanner(): void {
  const banner = document.getElementById("banner");
  if (banner) clear(banner);
}

/** Runs an action, showing any failure in the banner and inline (returns undefined then). */
export async function attempt<T>(fn: () => Promise<T>, inline?: HTMLElement): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    showError(e);
    if (inline) clear(inline, h("p", { class: "error" }, e instanceof ApiError ? e.explain() : String(e)));
    return undefined;
  }
}

export const fmtTime = (t: number | string | undefined | null): string => {
  if (t === undefined || t === null || t === "") return "—";
  const d = new Date(typeof t === "number" ? t * 1000 : t);
  return Number.isNaN(d.getTime()) ? String(t) : `${d.toISOString().slice(0, 19).replace("T", " ")}Z`;
};

export function ago(t: number | undefined): string {
  if (!t) return "never";
  const s = Math.round(Date.now() / 1000 - t);
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} days ago`;
}

export interface Column<T> {
  title: string;
  cell: (row: T) => Node | string;
}

/** A data table with a caption, header cells and an empty state. */
export function table<T>(
  caption: string,
  columns: Column<T>[],
  rows: T[],
  empty: string,
  rowAttrs?: (row: T) => Record<string, string>,
): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty", role: "status" }, empty);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      null,
      h("caption", null, caption),
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          columns.map((c) => h("th", { scope: "col" }, c.title)),
        ),
      ),
      h(
        "tbody",
        null,
        rows.map((r) =>
          h(
            "tr",
            rowAttrs?.(r) ?? null,
            columns.map((c) => h("td", null, c.cell(r))),
          ),
        ),
      ),
    ),
  );
}

export function button(
  label: string,
  onclick: () => void,
  attrs: Record<string, string | boolean> = {},
): HTMLButtonElement {
  return h("button", Object.assign({ type: "button", onclick }, attrs), label);
}

/** Saves text as a file (CSV/JSON downloads). */
export function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h("a", { href: url, download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function csv(header: string[], rows: Array<Array<string | number | undefined | null>>): string {
  const cell = (v: string | number | undefined | null) => {
    const s = v === undefined || v === null ? "" : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${[header, ...rows].map((r) => r.map(cell).join(",")).join("\r\n")}\r\n`;
}

/** Copies text; falls back to a selected textarea where the Clipboard API is missing (plain HTTP). */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const ta = h("textarea", { class: "offscreen", "aria-hidden": "true" });
  ta.value = text;
  document.body.append(ta);
  ta.select();
  document.execCommand("copy");
  ta.remove();
}

export const PRESETS: Array<[string, number]> = [
  ["Last hour", 3600],
  ["Last 24 hours", 86400],
  ["Last 7 days", 7 * 86400],
  ["Last 30 days", 30 * 86400],
  ["Last 90 days", 90 * 86400],
];

export interface TimeRange {
  /** Seconds back from now, or 0 for the absolute range. */
  preset: number;
  start?: string;
  end?: string;
}

/** Epoch-second bounds of a range, as LookupEvents takes them. */
export function bounds(r: TimeRange): { StartTime?: number; EndTime?: number } {
  const now = Date.now() / 1000;
  if (r.preset > 0) return { StartTime: Math.floor(now - r.preset), EndTime: Math.ceil(now) };
  const parse = (s?: string) => (s ? Date.parse(`${s}Z`) / 1000 : undefined);
  return { StartTime: parse(r.start), EndTime: parse(r.end) };
}

/** Preset select plus absolute from/to (UTC), shown when "Custom range" is picked. */
export function timeRangeControl(value: TimeRange, onChange: (r: TimeRange) => void): HTMLElement {
  const select = h("select", { name: "range" }, [
    ...PRESETS.map(([label, secs]) =>
      h("option", { value: String(secs), selected: value.preset === secs }, label),
    ),
    h("option", { value: "0", selected: value.preset === 0 }, "Custom range (UTC)"),
  ]);
  const start = h("input", { type: "datetime-local", name: "start", value: value.start ?? "", step: "1" });
  const end = h("input", { type: "datetime-local", name: "end", value: value.end ?? "", step: "1" });
  const custom = h(
    "div",
    { class: "row", hidden: value.preset !== 0 },
    field("From (UTC)", start),
    field("To (UTC)", end),
  );
  const changed = () => {
    const preset = Number(select.value);
    custom.hidden = preset !== 0;
    onChange({ preset, start: start.value || undefined, end: end.value || undefined });
  };
  select.addEventListener("change", changed);
  start.addEventListener("change", changed);
  end.addEventListener("change", changed);
  return h("div", { class: "row" }, field("Time range", select), custom);
}

export function section(title: string, ...children: Array<Node | string | null>): HTMLElement {
  return h("section", { "aria-label": title }, h("h2", null, title), ...children);
}

/** Previous/next buttons over NextToken pages; `go(n)` shows page n. */
export function pager(pageNo: number, hasNext: boolean, go: (n: number) => void): HTMLElement {
  return h(
    "div",
    { class: "row pager" },
    button("Previous page", () => go(pageNo - 1), { disabled: pageNo === 0 }),
    h("span", null, `Page ${pageNo + 1}`),
    button("Next page", () => go(pageNo + 1), { disabled: !hasNext }),
  );
}
