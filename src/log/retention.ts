/**
 * Retention rules, kept pure. A segment may go once every known consumer has applied all of
 * it; the active segment always stays, so the log start never passes the next seq to assign.
 */

/** Lowest position among consumers, or undefined when none is known (then nothing is deleted). */
export function slowestPosition(
  live: ReadonlyMap<string, number>,
  onDisk: ReadonlyMap<string, number>,
): number | undefined {
  let min: number | undefined;
  const consider = (p: number) => {
    min = min === undefined ? p : Math.min(min, p);
  };
  for (const p of live.values()) consider(p);
  // A running consumer's live position is current; its file may lag (or be a retention mark).
  for (const [name, p] of onDisk) if (!live.has(name)) consider(p);
  return min;
}

/** How many of the oldest segments (by `end`, the seq after their last record) can be deleted. */
export function deletableSegments(
  segments: readonly { end: number }[],
  position: number | undefined,
): number {
  if (position === undefined) return 0;
  let n = 0;
  while (n < segments.length - 1 && (segments[n]?.end ?? Number.POSITIVE_INFINITY) <= position) n++;
  return n;
}
