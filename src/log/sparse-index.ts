/**
 * Per segment, the byte offset of every INDEX_INTERVAL-th record. Reading seq N then starts at
 * the nearest indexed record at or before N and walks at most INDEX_INTERVAL - 1 frames, instead
 * of scanning the segment from its start. 256 keeps the index at 8 bytes per ~200 KB of 800-byte
 * records while bounding the walk to one small read.
 */
export const INDEX_INTERVAL = 256;

export class SparseIndex {
  constructor(private readonly offsets: number[] = []) {}

  /** Adds offsets already computed for records `INDEX_INTERVAL * size()` onwards. */
  extend(offsets: readonly number[]): void {
    for (const o of offsets) this.offsets.push(o);
  }

  size(): number {
    return this.offsets.length;
  }

  /** The indexed record nearest at or before `local`, and its byte offset. */
  floor(local: number): { local: number; offset: number } {
    const slot = Math.min(Math.floor(local / INDEX_INTERVAL), this.offsets.length - 1);
    const offset = this.offsets[slot];
    if (offset === undefined) return { local: 0, offset: 0 };
    return { local: slot * INDEX_INTERVAL, offset };
  }
}
