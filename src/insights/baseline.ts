import type { MinuteRing } from "./minute-ring.js";

export const MINUTES_PER_DAY = 1440;

/** What is normal for a series in one hour of the day. */
export interface HourBaseline {
  /** Median count per minute in this hour of the day over the baseline window. */
  median: number;
  /** Mean of the same minutes but their top tenth. */
  mean: number;
  /** Robust spread: max(1.4826 × MAD, √mean, 0.5): MAD, or the Poisson spread when larger. */
  sigma: number;
  /** Minutes sampled (0: no history for this hour yet). */
  samples: number;
}

/** Epoch day 0 was a Thursday; Saturday and Sunday (UTC) are weekend days. */
export function isWeekend(day: number): boolean {
  const dow = (((day + 4) % 7) + 7) % 7;
  return dow === 0 || dow === 6;
}

/**
 * Seasonality-aware, outlier-robust statistics of the hour of day that `minute` falls in: the
 * same 60 minutes on each earlier day of the window, from days of the same kind (weekday or
 * weekend) when the window holds at least two of them. Median and MAD ignore the minutes of a
 * past burst (up to half the samples), and each day contributes the same hour, so a quiet
 * night is compared with quiet nights and a busy afternoon with busy afternoons. Minutes before
 * `since` (when the analyzer first saw the account and Region) are not samples.
 */
export function hourBaseline(
  ring: MinuteRing,
  minute: number,
  windowMinutes: number,
  since: number,
  scratch: Float64Array,
): HourBaseline {
  const from = Math.max(since, minute - windowMinutes);
  const hourStart = minute - (minute % 60);
  const days = Math.ceil(windowMinutes / MINUTES_PER_DAY);
  const weekend = isWeekend(Math.floor(minute / MINUTES_PER_DAY));
  let sameKind = 0;
  for (let k = 1; k <= days; k++) {
    const start = hourStart - k * MINUTES_PER_DAY;
    if (start + 60 > from && isWeekend(Math.floor(start / MINUTES_PER_DAY)) === weekend) sameKind++;
  }
  let n = 0;
  for (let k = 1; k <= days; k++) {
    const start = hourStart - k * MINUTES_PER_DAY;
    if (sameKind >= 2 && isWeekend(Math.floor(start / MINUTES_PER_DAY)) !== weekend) continue;
    for (let m = Math.max(start, from); m < start + 60 && m < minute; m++) scratch[n++] = ring.get(m);
  }
  // A history shorter than a day has no earlier same hour: use what there is.
  if (n === 0) for (let m = from; m < minute && n < scratch.length; m++) scratch[n++] = ring.get(m);
  return robustStats(scratch.subarray(0, n));
}

/**
 * The smallest spread: below it (an API with almost no calls), the minimum volume, not the
 * spread, is what keeps noise from being an Insight.
 */
const SIGMA_FLOOR = 0.5;

/**
 * Median, mean and spread of the samples (sorted in place). The mean leaves out the top tenth
 * of the samples, so that a past burst in this hour neither lifts the Poisson floor of σ nor
 * hides the next one.
 */
export function robustStats(samples: Float64Array): HourBaseline {
  const n = samples.length;
  if (n === 0) return { median: 0, mean: 0, sigma: SIGMA_FLOOR, samples: 0 };
  samples.sort();
  const kept = n - Math.floor(n / 10);
  let sum = 0;
  for (let i = 0; i < kept; i++) sum += samples[i] as number;
  const median = medianOfSorted(samples);
  for (let i = 0; i < n; i++) samples[i] = Math.abs((samples[i] as number) - median);
  samples.sort();
  const mad = medianOfSorted(samples);
  const mean = sum / kept;
  return { median, mean, sigma: Math.max(1.4826 * mad, Math.sqrt(mean), SIGMA_FLOOR), samples: n };
}

function medianOfSorted(a: Float64Array): number {
  const n = a.length;
  const mid = n >> 1;
  return n % 2 === 1 ? (a[mid] as number) : ((a[mid - 1] as number) + (a[mid] as number)) / 2;
}

/**
 * The level this series usually reaches at this time of day (±2 minutes): over earlier days,
 * each day's maximum around the same minute; the median of those maxima with three days or
 * more, their minimum with one or two. A nightly job that bursts at 02:00 every day is normal
 * at 02:00 even though the hour's median is low.
 */
export function recurringLevel(
  ring: MinuteRing,
  minute: number,
  windowMinutes: number,
  since: number,
): number {
  const from = Math.max(since, minute - windowMinutes);
  const maxima: number[] = [];
  for (let k = 1; k * MINUTES_PER_DAY <= windowMinutes; k++) {
    const at = minute - k * MINUTES_PER_DAY;
    if (at - 2 < from) break;
    let max = 0;
    for (let j = -2; j <= 2; j++) max = Math.max(max, ring.get(at + j));
    maxima.push(max);
  }
  if (maxima.length === 0) return 0;
  maxima.sort((a, b) => a - b);
  if (maxima.length < 3) return maxima[0] as number;
  const mid = maxima.length >> 1;
  return maxima.length % 2
    ? (maxima[mid] as number)
    : ((maxima[mid - 1] as number) + (maxima[mid] as number)) / 2;
}
