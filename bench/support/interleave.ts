/** One side of a comparison: its operations [from, to). */
export type Side = (from: number, to: number) => Promise<unknown>;

/**
 * Runs operations [0, count) of every side in `slices` slices, interleaved: in each slice every
 * side runs its share, in an order that rotates from slice to slice (and starts elsewhere in
 * each round), so the drifts of a shared machine fall on every side alike rather than on
 * whichever runs last. `run` wraps each share (to time it); `i` is the side's index.
 */
export async function runInterleaved(
  count: number,
  slices: number,
  round: number,
  sides: readonly Side[],
  run: (i: number, share: () => Promise<unknown>) => Promise<unknown> = (_i, share) => share(),
): Promise<void> {
  for (let slice = 0; slice < slices; slice++) {
    const from = Math.floor((count * slice) / slices);
    const to = Math.floor((count * (slice + 1)) / slices);
    for (let k = 0; k < sides.length; k++) {
      const i = (slice + round + k) % sides.length;
      await run(i, () => (sides[i] as Side)(from, to));
    }
  }
}
