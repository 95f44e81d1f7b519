import { encodeFrame, FRAME_HEADER_BYTES, type Payload, payloadBytes, payloadBytesAtMost } from "./frame.js";

const BLOCK_BYTES = 4 * 1024 * 1024;
/** Emptied blocks kept for reuse; two let framing go on in one while the other is written. */
const MAX_SPARE_BLOCKS = 2;

interface Block {
  buf: Buffer;
  /** Views handed out by `frame` and not yet given back with `release`. */
  views: number;
}

/**
 * Frames queued appends back to back in large blocks, so that the frames of one flush are
 * usually one contiguous view: the flush then writes it as is, with no per-append allocation
 * and no gathering copy. A block whose views have all been released (their flush is over) is
 * reused: fresh memory costs a page fault per 4 KiB on first touch, which on a virtual machine
 * cost more than the framing itself. A view never released only keeps its block from reuse.
 */
export class FrameArena {
  private block: Block = { buf: Buffer.alloc(0), views: 0 };
  private used = 0;
  /** Left behind by `frame` while some of their views were still out. */
  private readonly retired: Block[] = [];
  private readonly spare: Block[] = [];

  /**
   * Frames `payloads` and returns a view of the framed bytes. The view stays valid until it is
   * passed to `release`, which the caller does only once nothing reads it any more.
   */
  frame(payloads: readonly Payload[], lengths: number[]): Buffer {
    let bound = 0;
    for (const p of payloads) bound += FRAME_HEADER_BYTES + payloadBytesAtMost(p);
    if (bound > this.block.buf.length - this.used) {
      // Text's bound is three times its length; the exact size may still fit this block.
      let bytes = 0;
      for (const p of payloads) bytes += FRAME_HEADER_BYTES + payloadBytes(p);
      if (bytes > this.block.buf.length - this.used) this.nextBlock(bytes);
    }
    const buf = this.block.buf;
    const start = this.used;
    let at = start;
    for (const p of payloads) {
      const end = encodeFrame(buf, at, p);
      lengths.push(end - at - FRAME_HEADER_BYTES);
      at = end;
    }
    this.used = at;
    this.block.views++;
    return buf.subarray(start, at);
  }

  /**
   * Frames `payload` directly after the `bytes` framed bytes that start where `view` (from
   * `frame`) starts, if those end where the last frame ended and the block has room; returns
   * the framed length then covered (`view` itself stays the one to `release`), or -1, having
   * framed nothing. Costs no allocation: the caller widens its view once, when it writes.
   */
  extend(view: Buffer, bytes: number, payload: Payload, lengths: number[]): number {
    const buf = this.block.buf;
    const start = view.byteOffset - buf.byteOffset;
    if (view.buffer !== buf.buffer || start + bytes !== this.used) return -1;
    const room = buf.length - this.used;
    if (
      FRAME_HEADER_BYTES + payloadBytesAtMost(payload) > room &&
      FRAME_HEADER_BYTES + payloadBytes(payload) > room
    )
      return -1;
    const at = this.used;
    this.used = encodeFrame(buf, at, payload);
    lengths.push(this.used - at - FRAME_HEADER_BYTES);
    return this.used - start;
  }

  /** Gives back a view returned by `frame` (or a wider one): its bytes have been written (or given up). */
  release(view: Buffer): void {
    if (view.buffer === this.block.buf.buffer) {
      this.block.views--;
      return;
    }
    const i = this.retired.findIndex((b) => b.buf.buffer === view.buffer);
    const block = this.retired[i];
    if (!block || --block.views > 0) return;
    this.retired.splice(i, 1);
    this.keep(block);
  }

  private nextBlock(bytes: number): void {
    const old = this.block;
    if (old.views > 0) this.retired.push(old);
    else this.keep(old);
    const spare = bytes <= BLOCK_BYTES ? this.spare.pop() : undefined;
    this.block = spare ?? { buf: Buffer.allocUnsafeSlow(Math.max(BLOCK_BYTES, bytes)), views: 0 };
    this.used = 0;
  }

  /** Keeps an emptied block for reuse, if it has the standard size and room is left. */
  private keep(block: Block): void {
    if (block.buf.length === BLOCK_BYTES && this.spare.length < MAX_SPARE_BLOCKS) this.spare.push(block);
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
