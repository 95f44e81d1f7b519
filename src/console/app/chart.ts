import { h, svg } from "./dom.js";

export interface Series {
  name: string;
  /** [x (ms since epoch, or an index), y] */
  points: Array<[number, number]>;
}

export interface LineChartOptions {
  label: string;
  /** x values are times (ms) and are labelled as such. */
  time?: boolean;
  /** A horizontal dashed reference line (Insights' baseline). */
  baseline?: number;
  /** An x range to shade (an Insight's unusual window). */
  shade?: [number, number];
  yLabel?: string;
}

const W = 640;
const H = 220;
const PAD = { l: 48, r: 12, t: 12, b: 28 };
const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2"];

const tick = (v: number) =>
  v >= 1000 ? `${(v / 1000).toFixed(v >= 10_000 ? 0 : 1)}k` : v % 1 ? v.toFixed(1) : String(v);
const timeTick = (ms: number, span: number) => {
  const iso = new Date(ms).toISOString();
  return span > 2 * 86_400_000 ? iso.slice(5, 10) : iso.slice(11, 16);
};

/** A hand-drawn SVG line chart; `role=img` with a summary label for screen readers. */
export function lineChart(series: Series[], o: LineChartOptions): HTMLElement {
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return h("p", { class: "empty" }, "No data to chart.");
  const xs = all.map((p) => p[0]);
  let x0 = Math.min(...xs);
  let x1 = Math.max(...xs);
  if (o.shade) {
    x0 = Math.min(x0, o.shade[0]);
    x1 = Math.max(x1, o.shade[1]);
  }
  if (x1 === x0) x1 = x0 + 1;
  const y1 = Math.max(1, o.baseline ?? 0, ...all.map((p) => p[1])) * 1.1;
  const sx = (x: number) => PAD.l + ((x - x0) / (x1 - x0)) * (W - PAD.l - PAD.r);
  const sy = (y: number) => H - PAD.b - (y / y1) * (H - PAD.t - PAD.b);
  const g: SVGElement[] = [];
  if (o.shade) {
    const a = sx(o.shade[0]);
    g.push(
      svg("rect", {
        x: a,
        y: PAD.t,
        width: Math.max(2, sx(o.shade[1]) - a),
        height: H - PAD.t - PAD.b,
        fill: "#fde68a",
        "fill-opacity": 0.6,
        class: "shade",
      }),
    );
  }
  for (let i = 0; i <= 4; i++) {
    const v = (y1 / 4) * i;
    g.push(svg("line", { x1: PAD.l, x2: W - PAD.r, y1: sy(v), y2: sy(v), stroke: "#e5e7eb" }));
    g.push(
      svg(
        "text",
        { x: PAD.l - 6, y: sy(v) + 4, "text-anchor": "end", class: "axis" },
        document.createTextNode(tick(Math.round(v * 10) / 10)),
      ),
    );
  }
  for (let i = 0; i <= 4; i++) {
    const x = x0 + ((x1 - x0) / 4) * i;
    const label = o.time ? timeTick(x, x1 - x0) : tick(Math.round(x));
    g.push(
      svg(
        "text",
        { x: sx(x), y: H - 8, "text-anchor": "middle", class: "axis" },
        document.createTextNode(label),
      ),
    );
  }
  if (o.baseline !== undefined) {
    g.push(
      svg("line", {
        x1: PAD.l,
        x2: W - PAD.r,
        y1: sy(o.baseline),
        y2: sy(o.baseline),
        stroke: "#6b7280",
        "stroke-dasharray": "5 4",
        class: "baseline",
      }),
    );
  }
  series.forEach((s, i) => {
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    const d = pts.map((p, j) => `${j ? "L" : "M"}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join("");
    g.push(
      svg("path", {
        d,
        fill: "none",
        stroke: COLORS[i % COLORS.length] as string,
        "stroke-width": 2,
        class: "series",
      }),
    );
  });
  const chart = svg(
    "svg",
    { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": o.label, class: "chart" },
    svg("title", {}, document.createTextNode(o.label)),
    ...g,
  );
  const legend = h(
    "ul",
    { class: "legend" },
    series.map((s, i) => h("li", null, h("span", { class: `swatch c${i % COLORS.length}` }), s.name)),
    o.baseline !== undefined
      ? h("li", null, h("span", { class: "swatch dashed" }), `baseline ${o.baseline}`)
      : null,
    o.shade ? h("li", null, h("span", { class: "swatch shaded" }), "unusual window") : null,
  );
  return h("figure", { class: "figure" }, chart as unknown as Node, legend);
}

/** Horizontal bars for top-N lists and category counts. */
export function barChart(items: Array<[string, number]>, label: string): HTMLElement {
  if (items.length === 0) return h("p", { class: "empty" }, "No data to chart.");
  const max = Math.max(...items.map((i) => i[1]), 1);
  const row = 22;
  const height = items.length * row + 4;
  const g: SVGElement[] = [];
  items.forEach(([name, v], i) => {
    const y = i * row + 2;
    g.push(
      svg(
        "text",
        { x: 0, y: y + 14, class: "axis" },
        document.createTextNode(name.length > 38 ? `${name.slice(0, 37)}…` : name),
      ),
    );
    g.push(
      svg("rect", {
        x: 260,
        y,
        width: Math.max(1, (v / max) * 320),
        height: row - 6,
        fill: COLORS[0] as string,
      }),
    );
    g.push(
      svg("text", { x: 266 + (v / max) * 320, y: y + 14, class: "axis" }, document.createTextNode(String(v))),
    );
  });
  const chart = svg(
    "svg",
    { viewBox: `0 0 ${W} ${height}`, role: "img", "aria-label": label, class: "chart bars" },
    svg("title", {}, document.createTextNode(label)),
    ...g,
  );
  return h("figure", { class: "figure" }, chart as unknown as Node);
}
