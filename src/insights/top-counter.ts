/** An attribution value and its rate in calls (or errors) per minute. */
export interface ValueAverage {
  value: string;
  average: number;
}

/**
 * Counts per value with bounded memory: past `capacity` distinct values, the smallest entry is
 * replaced and the newcomer inherits its count (the space-saving heavy-hitters scheme), so the
 * top values and their counts stay right to within the evicted count, whatever the cardinality
 * of user agents or identities.
 */
export class TopCounter {
  readonly counts = new Map<string, number>();

  constructor(private readonly capacity = 64) {}

  add(value: string, n = 1): void {
    const cur = this.counts.get(value);
    if (cur !== undefined) {
      this.counts.set(value, cur + n);
      return;
    }
    if (this.counts.size < this.capacity) {
      this.counts.set(value, n);
      return;
    }
    let minKey = "";
    let min = Number.POSITIVE_INFINITY;
    for (const [k, c] of this.counts) {
      if (c < min) {
        min = c;
        minKey = k;
      }
    }
    this.counts.delete(minKey);
    this.counts.set(value, min + n);
  }

  merge(other: TopCounter | Map<string, number>): void {
    const entries = other instanceof TopCounter ? other.counts : other;
    for (const [k, c] of entries) this.add(k, c);
  }

  get size(): number {
    return this.counts.size;
  }

  toJSON(): Array<[string, number]> {
    return [...this.counts];
  }

  static from(entries: Array<[string, number]> | undefined, capacity?: number): TopCounter {
    const t = new TopCounter(capacity);
    for (const [k, c] of entries ?? []) t.counts.set(k, c);
    return t;
  }
}

/**
 * The top `n` values by count as per-minute averages over `minutes`, largest first (ties by
 * value, so the output is deterministic). CloudTrail lists up to five per attribute.
 */
export function topAverages(counts: Map<string, number>, minutes: number, n = 5): ValueAverage[] {
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, n)
    .map(([value, count]) => ({ value, average: roundRate(count / Math.max(1, minutes)) }));
}

/** Rates keep ten significant digits, as CloudTrail's (e.g. 0.0000882145, 85.4202380952). */
export function roundRate(x: number): number {
  return x === 0 ? 0 : Number(x.toPrecision(10));
}
