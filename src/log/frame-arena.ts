import { encodeFrame, FRAME_HEADER_BYTES, type Payload, payloadBytes, payloadBytesAtMost } from "./frame.js";

const BLOCK_BYTES = 4 * 1024 * 1024;

/**
 * Frames queued appends back to back in large blocks, so that the frames of one flush are
 * usually one contiguous view: the flush then writes it as is, with no per-append allocation
 * and no gathering copy. Blocks are never reused; one is freed once every view into it is gone.
 */
export class FrameArena {
  private block = Buffer.alloc(0);
  private used = 0;

  /** Frames `payloads` and returns a view of the framed bytes. */
  frame(payloads: readonly Payload[], lengths: number[]): Buffer {
    let bound = 0;
    for (const p of payloads) bound += FRAME_HEADER_BYTES + payloadBytesAtMost(p);
    if (bound > this.block.length - this.used) {
      // Text's bound is three times its length; the exact size may still fit this block.
      let bytes = 0;
      for (const p of payloads) bytes += FRAME_HEADER_BYTES + payloadBytes(p);
      if (bytes > this.block.length - this.used) {
        this.block = Buffer.allocUnsafeSlow(Math.max(BLOCK_BYTES, bytes));
        this.used = 0;
      }
    }
    const start = this.used;
    for (const p of payloads) {
      const at = this.used;
      this.used = encodeFrame(this.block, at, p);
      lengths.push(this.used - at - FRAME_HEADER_BYTES);
    }
    return this.block.subarray(start, this.used);
  }
}

/** Appends `piece` to `pieces`, merging it into the last one when it directly follows it in memory. */
export function pushPiece(pieces: Buffer[], piece: Buffer): void {
  const last = pieces.at(-1);
  if (last && last.buffer === piece.buffer && last.byteOffset + last.length === piece.byteOffset) {
    pieces[pieces.length - 1] = Buffer.from(last.buffer, last.byteOffset, last.length + piece.length);
  } else {
    pieces.push(piece);
  }
}
