/**
 * Growable byte writer and cursor reader with LEB128 varints, shared by the record codec and
 * the posting-chunk codec. Varints hold non-negative integers up to 2^53.
 */
export class ByteWriter {
  private buf: Buffer;
  length = 0;

  constructor(initialSize = 4096) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  reset(): void {
    this.length = 0;
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }

  varint(value: number): void {
    this.ensure(8);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  byte(value: number): void {
    this.ensure(1);
    this.buf[this.length++] = value;
  }

  /** Writes `s` as UTF-8 preceded by nothing; returns the byte count. */
  utf8(s: string, byteLength: number): void {
    this.ensure(byteLength);
    this.length += this.buf.write(s, this.length, "utf8");
  }

  /** A copy of what was written (the internal buffer is reused). */
  toBuffer(): Buffer {
    // allocUnsafe takes a slice of Node's pool; no intermediate view (one object per record).
    const out = Buffer.allocUnsafe(this.length);
    this.buf.copy(out, 0, 0, this.length);
    return out;
  }
}

export class ByteReader {
  pos = 0;

  constructor(readonly buf: Uint8Array) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new RangeError("truncated varint");
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
  }

  byte(): number {
    const b = this.buf[this.pos++];
    if (b === undefined) throw new RangeError("truncated input");
    return b;
  }

  utf8(byteLength: number): string {
    const end = this.pos + byteLength;
    if (end > this.buf.length) throw new RangeError("truncated string");
    const s = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, byteLength).toString("utf8");
    this.pos = end;
    return s;
  }
}

/** Maps signed integers to unsigned ones so small magnitudes stay short as varints. */
export function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

export function unzigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
}
