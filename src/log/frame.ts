import { crc32 } from "node:zlib";

/**
 * On-disk record framing: `[u32 LE payload length][u32 LE crc32(payload)][payload]`.
 * The seq is not stored: it is the segment's base seq plus the record's index in the segment,
 * which is why a segment never has holes and recovery only ever cuts its tail.
 */
export const FRAME_HEADER_BYTES = 8;

/** Largest payload accepted; the recorder enforces CloudTrail's 256 KB event limit before this. */
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

/**
 * What an append takes: bytes, or text stored as UTF-8. Text is encoded straight into the
 * frame, which spares the recorder a Buffer and a copy per event.
 */
export type Payload = Buffer | string;

/** Throws a RangeError unless `payload` is a non-empty Buffer or string of at most MAX_PAYLOAD_BYTES. */
export function validatePayload(payload: unknown): asserts payload is Payload {
  if (!Buffer.isBuffer(payload) && typeof payload !== "string")
    throw new RangeError("log payload must be a Buffer or a string");
  if (payload.length === 0) throw new RangeError("log payload must not be empty");
  const bytes = payloadBytesAtMost(payload);
  if (bytes > MAX_PAYLOAD_BYTES && payloadBytes(payload) > MAX_PAYLOAD_BYTES) {
    throw new RangeError(`log payload is ${payloadBytes(payload)} bytes; the limit is ${MAX_PAYLOAD_BYTES}`);
  }
}

/** The payload's size in bytes. */
export function payloadBytes(payload: Payload): number {
  return typeof payload === "string" ? Buffer.byteLength(payload, "utf8") : payload.length;
}

/** An upper bound of payloadBytes that costs nothing: UTF-8 takes at most 3 bytes per UTF-16 unit. */
export function payloadBytesAtMost(payload: Payload): number {
  return typeof payload === "string" ? payload.length * 3 : payload.length;
}

/**
 * Writes one frame at `offset` in `into`, which has room for payloadBytesAtMost(payload), and
 * returns the offset just past it.
 */
export function encodeFrame(into: Buffer, offset: number, payload: Payload): number {
  const start = offset + FRAME_HEADER_BYTES;
  const length = typeof payload === "string" ? into.write(payload, start, "utf8") : payload.copy(into, start);
  into.writeUInt32LE(length, offset);
  into.writeUInt32LE(crc32(into.subarray(start, start + length)), offset + 4);
  return start + length;
}

/** A header whose length no append could have written is the start of a torn or garbage tail. */
export function isPlausibleLength(length: number): boolean {
  return length > 0 && length <= MAX_PAYLOAD_BYTES;
}

export function payloadMatchesCrc(payload: Buffer, crc: number): boolean {
  return crc32(payload) === crc;
}
