import { crc32 } from "node:zlib";

/**
 * On-disk record framing: `[u32 LE payload length][u32 LE crc32(payload)][payload]`.
 * The seq is not stored: it is the segment's base seq plus the record's index in the segment,
 * which is why a segment never has holes and recovery only ever cuts its tail.
 */
export const FRAME_HEADER_BYTES = 8;

/** Largest payload accepted; the recorder enforces CloudTrail's 256 KB event limit before this. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

export function frameBytes(payload: Buffer): number {
  return FRAME_HEADER_BYTES + payload.length;
}

/** Throws a RangeError unless `payload` is a non-empty Buffer of at most MAX_PAYLOAD_BYTES. */
export function validatePayload(payload: unknown): asserts payload is Buffer {
  if (!Buffer.isBuffer(payload)) throw new RangeError("log payload must be a Buffer");
  if (payload.length === 0) throw new RangeError("log payload must not be empty");
  if (payload.length > MAX_PAYLOAD_BYTES) {
    throw new RangeError(`log payload is ${payload.length} bytes; the limit is ${MAX_PAYLOAD_BYTES}`);
  }
}

/** Writes one frame at `offset` in `into` and returns the offset just past it. */
export function encodeFrame(into: Buffer, offset: number, payload: Buffer): number {
  into.writeUInt32LE(payload.length, offset);
  into.writeUInt32LE(crc32(payload), offset + 4);
  payload.copy(into, offset + FRAME_HEADER_BYTES);
  return offset + FRAME_HEADER_BYTES + payload.length;
}

/** A header whose length no append could have written is the start of a torn or garbage tail. */
export function isPlausibleLength(length: number): boolean {
  return length > 0 && length <= MAX_PAYLOAD_BYTES;
}

export function payloadMatchesCrc(payload: Buffer, crc: number): boolean {
  return crc32(payload) === crc;
}
