/**
 * One series' per-minute counts over the last `size` minutes (minute = epoch minute). Minutes
 * never written read as 0; writing a later minute zeroes the slots of the minutes skipped, so a
 * slot never shows a count from a previous turn of the ring. Counts saturate at 65,535 a minute
 * (two bytes a minute: a week of one rate is 20 KB).
 */
export const MAX_COUNT = 0xffff;

export class MinuteRing {
  private readonly counts: Uint16Array;
  /** The latest minute written (or zeroed); -1 before the first write. */
  private last = -1;

  constructor(readonly size: number) {
    this.counts = new Uint16Array(size);
  }

  get latest(): number {
    return this.last;
  }

  set(minute: number, count: number): void {
    if (minute <= this.last - this.size) return;
    if (minute > this.last) this.zeroThrough(minute);
    this.counts[minute % this.size] = Math.min(count, MAX_COUNT);
  }

  get(minute: number): number {
    if (minute > this.last || minute <= this.last - this.size || minute < 0) return 0;
    return this.counts[minute % this.size] as number;
  }

  /** Sum of [from, to). */
  sum(from: number, to: number): number {
    let total = 0;
    for (let m = Math.max(from, this.last - this.size + 1); m < to && m <= this.last; m++)
      total += this.counts[m % this.size] as number;
    return total;
  }

  private zeroThrough(minute: number): void {
    const from = Math.max(this.last + 1, minute - this.size + 1);
    for (let m = from; m <= minute; m++) this.counts[m % this.size] = 0;
    this.last = minute;
  }
}
