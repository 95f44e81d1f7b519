/**
 * A small text chart of a rate against its baseline, for the `opentrail insights` command:
 * one column per time bucket (the bucket's maximum, so a one-minute spike stays visible), bars
 * of full blocks with an eighth-block top, and the baseline drawn as `·` where no bar covers it.
 */
export function rateChart(
  values: readonly number[],
  baseline: number,
  opts: { width?: number; height?: number } = {},
): string[] {
  const width = opts.width ?? 60;
  const height = opts.height ?? 5;
  const columns = downsample(values, width);
  const top = Math.max(1, baseline, ...columns);
  const unit = top / height;
  const baselineRow = Math.min(height - 1, Math.floor(baseline / unit));
  const rows: string[] = [];
  for (let r = height - 1; r >= 0; r--) {
    let line = "";
    for (const v of columns) line += cell(v, r, unit, r === baselineRow && baseline > 0);
    const label = r === height - 1 ? fmt(top) : r === baselineRow && baseline > 0 ? fmt(baseline) : "";
    rows.push(`${label.padStart(7)} ┤${line}`);
  }
  return rows;
}

const EIGHTHS = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

function cell(v: number, row: number, unit: number, baselineRow: boolean): string {
  const filled = v / unit - row;
  if (filled >= 1) return "█";
  if (filled > 0) return EIGHTHS[Math.max(1, Math.round(filled * 8))] as string;
  return baselineRow ? "·" : " ";
}

/** At most `width` columns, each the maximum of the values it covers. */
export function downsample(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  const per = values.length / width;
  for (let i = 0; i < width; i++) {
    let max = 0;
    for (let j = Math.floor(i * per); j < Math.floor((i + 1) * per); j++) max = Math.max(max, values[j] ?? 0);
    out.push(max);
  }
  return out;
}

function fmt(x: number): string {
  return x >= 100 ? String(Math.round(x)) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
}
