import type { HourBaseline } from "./baseline.js";

/**
 * When a rate is unusual (README "How Insights decide"). A window of the last one or two
 * minutes is unusual when its count reaches all of: a minimum volume, `minRatio` times the
 * expected count, and the expected count plus `z` robust standard deviations. An Insight ends
 * after `endQuietMinutes` consecutive quiet minutes (at or below expected + zEnd·σ): the gap
 * between the start and end thresholds is the hysteresis that keeps a ragged burst one Insight.
 */
export interface DetectorSettings {
  /** Robust z-score a one-minute window must reach. */
  z1: number;
  /** Robust z-score a two-minute window must reach (sustained, more moderate rises). */
  z2: number;
  /** In a two-minute window, each minute must exceed expected + zEach·σ. */
  zEach: number;
  minRatio: number;
  /** The minute must exceed the level usually reached at this time of day by zUsual·√level. */
  zUsual: number;
  /** Minimum count in a one-minute / two-minute window: quiet APIs do not flap. */
  minCount1: number;
  minCount2: number;
  zEnd: number;
  endQuietMinutes: number;
  /** An Insight still open after this long ends; a lasting new level becomes the baseline. */
  maxInsightMinutes: number;
  /** No Insight before the analyzer has seen this much of the account's activity in the Region. */
  minHistoryMinutes: number;
}

export const DEFAULT_DETECTOR: DetectorSettings = {
  z1: 7,
  z2: 5,
  zEach: 2,
  minRatio: 3,
  zUsual: 2.5,
  minCount1: 6,
  minCount2: 10,
  zEnd: 3,
  endQuietMinutes: 3,
  maxInsightMinutes: 24 * 60,
  minHistoryMinutes: 24 * 60,
};

/** The count at which a window of `w` minutes (1 or 2) is unusual, given the expected level. */
export function startThreshold(expected: number, b: HourBaseline, w: 1 | 2, s: DetectorSettings): number {
  const e = expected * w;
  const z = w === 1 ? s.z1 : s.z2;
  const floor = w === 1 ? s.minCount1 : s.minCount2;
  return Math.ceil(Math.max(floor, s.minRatio * e, e + z * b.sigma * Math.sqrt(w)) - 1e-9);
}

export function isQuiet(count: number, expected: number, b: HourBaseline, s: DetectorSettings): boolean {
  return count <= expected + s.zEnd * b.sigma;
}
