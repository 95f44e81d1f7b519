/**
 * Reusable object-sized buffers on SharedArrayBuffers. Allocating a fresh 1 MB Buffer per GET
 * or PUT is cheap by itself, but every one counts as V8 external memory, and a few dozen MB of
 * it schedule a full mark-compact: at 1 MB objects that garbage collection cost more main-thread
 * time than the rest of the request. Shared memory also lets a digest worker read the bytes
 * without a copy. Sizes round up to a power of two; buffers above MAX_POOLED are lent unpooled.
 */
const MIN_CLASS = 64 * 1024;
const MAX_POOLED = 8 * 1024 * 1024;

export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();
  /** Memory lent out and not yet given back: only these may be released (no double release). */
  private readonly lent = new WeakSet<ArrayBufferLike>();
  private idleBytes = 0;

  constructor(private readonly maxIdleBytes = 64 * 1024 * 1024) {}

  /** A buffer of exactly `size` bytes (contents undefined), backed by shared memory. */
  acquire(size: number): Buffer {
    const capacity = size <= MIN_CLASS ? MIN_CLASS : 2 ** Math.ceil(Math.log2(size));
    const whole = this.free.get(capacity)?.pop();
    if (whole) this.idleBytes -= capacity;
    const buf = whole ?? Buffer.from(new SharedArrayBuffer(capacity <= MAX_POOLED ? capacity : size));
    this.lent.add(buf.buffer);
    return buf.subarray(0, size);
  }

  /** Gives back a buffer from `acquire` once nothing (socket, file write, worker) uses it. */
  release(buf: Buffer): void {
    const memory = buf.buffer;
    if (!this.lent.has(memory)) return;
    this.lent.delete(memory);
    const capacity = memory.byteLength;
    if (capacity > MAX_POOLED || this.idleBytes + capacity > this.maxIdleBytes) return;
    let list = this.free.get(capacity);
    if (!list) {
      list = [];
      this.free.set(capacity, list);
    }
    list.push(Buffer.from(memory));
    this.idleBytes += capacity;
  }
}
