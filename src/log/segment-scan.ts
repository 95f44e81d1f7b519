import { payloadMatchesCrc } from "./frame.js";
import { FrameReader, type TornReason } from "./frame-reader.js";
import { INDEX_INTERVAL } from "./sparse-index.js";

export interface SegmentScan {
  /** Complete frames from the start of the file up to the first bad one. */
  count: number;
  /** Bytes those frames take; anything after them is a torn or corrupt tail. */
  validBytes: number;
  /** Byte offset of every INDEX_INTERVAL-th record. */
  offsets: number[];
  /** Why the scan stopped before `size`, if it did. */
  problem: TornReason | "crc mismatch" | undefined;
}

/** Walks a segment's frames from byte 0 to `size`, building its sparse index on the way. */
export function scanSegment(fd: number, size: number, verifyCrc: boolean): SegmentScan {
  const reader = new FrameReader(fd, 0, size);
  const offsets: number[] = [];
  let count = 0;
  let validBytes = 0;
  for (let frame = reader.next(); frame; frame = reader.next()) {
    if (verifyCrc && !payloadMatchesCrc(frame.payload, frame.crc)) {
      return { count, validBytes, offsets, problem: "crc mismatch" };
    }
    if (count % INDEX_INTERVAL === 0) offsets.push(frame.offset);
    count++;
    validBytes = reader.position;
  }
  return { count, validBytes, offsets, problem: reader.torn };
}
