/** Small statistics for benchmarks: medians and percentiles of samples, and a printer. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export function median(samples: number[]): number {
  return percentile(samples, 50);
}

export function printTable(title: string, rows: Record<string, unknown>): void {
  console.log(`\n## ${title}`);
  const width = Math.max(...Object.keys(rows).map((k) => k.length));
  for (const [k, v] of Object.entries(rows)) console.log(`  ${k.padEnd(width)}  ${String(v)}`);
}

/** Wall and process CPU time (all threads, user + system) of `run`, and what it returned. */
export async function withCpuTime<T>(
  run: () => Promise<T>,
): Promise<{ value: T; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await run();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { value, ms, cpuMs: (used.user + used.system) / 1000 };
}
