import { ByteReader, ByteWriter, unzigzag, zigzag } from "./byte-buffer.js";
import {
  formatIpv4,
  formatIsoSeconds,
  parseIpv4,
  parseIsoSeconds,
  parseUint,
  readUuid,
  uuidCase,
  writeUuid,
} from "./codec-literals.js";

/**
 * Lossless compression of one record's JSON text, built for CloudTrail's repetitiveness and for
 * speed (a few µs per record where zlib with a preset dictionary costs 30-100 µs in Node).
 *
 * The text is split into its *shape* (everything outside string values and numbers: braces,
 * keys, punctuation, literals) and its *slots* (the raw characters of each string value or
 * number). A shape seen before is one varint; each slot is a reference to an interned string, a
 * typed literal (UUID in 16 bytes or a back-reference to an earlier one, ISO second as a delta,
 * IPv4, integer) or plain UTF-8. Decoding concatenates shape parts and slots, so
 * `decode(encode(x)) === x` for any string, JSON or not (what the splitter cannot handle is
 * stored raw).
 */
export interface CodecDictionary {
  /**
   * The id of `s` if it is interned; with `admit`, the admission policy may intern it now (a
   * value seen before). Undefined means: store it as a literal.
   */
  stringId(s: string, admit: boolean): number | undefined;
  string(id: number): string;
  /** Likewise for a shape, identified by its parts joined with U+0000. */
  shapeId(key: string, parts: readonly string[], admit: boolean): number | undefined;
  shape(id: number): readonly string[];
}

const REF = 0;
const STR = 1;
const UINT = 2;
const UUID = 3;
const TIME = 4;
const IPV4 = 5;
const UUID_AGAIN = 6;

const HEADER_RAW = 0;
const HEADER_INLINE = 1;

export interface RecordParts {
  /** Text between slots; always one more than slots. */
  parts: string[];
  slots: string[];
}

function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69;
}

/** Splits JSON text into shape parts and value slots; undefined if a string is unterminated. */
export function splitRecord(text: string): RecordParts | undefined {
  const parts: string[] = [];
  const slots: string[] = [];
  let partStart = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      let j = i + 1;
      for (;;) {
        j = text.indexOf('"', j);
        if (j < 0) return undefined;
        let k = j - 1;
        while (text.charCodeAt(k) === 92) k--;
        if ((j - 1 - k) % 2 === 0) break;
        j++;
      }
      if (text.charCodeAt(j + 1) === 58) {
        i = j + 2;
        continue;
      }
      parts.push(text.slice(partStart, i + 1));
      slots.push(text.slice(i + 1, j));
      partStart = j;
      i = j + 1;
    } else if ((c >= 48 && c <= 57) || c === 45) {
      let j = i + 1;
      while (j < n && isNumberChar(text.charCodeAt(j))) j++;
      parts.push(text.slice(partStart, i));
      slots.push(text.slice(i, j));
      partStart = j;
      i = j;
    } else {
      i++;
    }
  }
  parts.push(text.slice(partStart));
  return { parts, slots };
}

/** A record split by `RecordCodec.split`; `parts` is the dictionary's own array if interned. */
export interface SplitRecord {
  text: string;
  parts: readonly string[];
  slots: string[];
  /** The shape's dictionary key (parts joined with U+0000) and id, if already interned. */
  key: string;
  shapeId: number | undefined;
}

export class RecordCodec {
  private readonly w = new ByteWriter();
  private timeBase = 0;
  private uuids: string[] = [];
  /** Per shape id, the last two dictionary ids each slot referred to (at 2i and 2i+1). */
  private memo: Array<Array<number | undefined>> = [];

  constructor(private readonly dict: CodecDictionary) {}

  /** Forgets cached ids (after the dictionary was reloaded). */
  reset(): void {
    this.memo = [];
  }

  /** Splits `text` without changing the dictionary; undefined if it can only be stored raw. */
  split(text: string): SplitRecord | undefined {
    const split = text.includes("\u0000") ? undefined : splitRecord(text);
    if (!split) return undefined;
    const key = split.parts.join("\u0000");
    const shapeId = this.dict.shapeId(key, split.parts, false);
    const parts = shapeId === undefined ? split.parts : this.dict.shape(shapeId);
    return { text, parts, slots: split.slots, key, shapeId };
  }

  /** Encodes a record (split beforehand, or undefined to store `text` raw). */
  encode(text: string, split: SplitRecord | undefined = this.split(text)): Buffer {
    const w = this.w;
    w.reset();
    if (!split) {
      w.varint(HEADER_RAW);
      this.literal(text);
      return w.toBuffer();
    }
    const shape = split.shapeId ?? this.dict.shapeId(split.key, split.parts, true);
    this.timeBase = 0;
    this.uuids.length = 0;
    if (shape === undefined) {
      w.varint(HEADER_INLINE);
      w.varint(split.parts.length);
      for (const p of split.parts) this.value(p);
      for (const s of split.slots) this.value(s);
      return w.toBuffer();
    }
    w.varint(shape + 1);
    // Most slots of a shape hold one of few interned values record after record (account,
    // region, the same caller's ARN and user agent...): compare with the last two values the
    // slot referred to before hashing into the dictionary.
    let memo = this.memo[shape];
    if (!memo) {
      memo = [];
      this.memo[shape] = memo;
    }
    const { slots } = split;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i] as string;
      const last = memo[2 * i];
      if (last !== undefined && s === this.dict.string(last)) {
        this.tag(REF, last);
        continue;
      }
      const before = memo[2 * i + 1];
      if (before !== undefined && s === this.dict.string(before)) {
        this.tag(REF, before);
        memo[2 * i + 1] = last;
        memo[2 * i] = before;
        continue;
      }
      const id = this.value(s);
      if (id === undefined) continue;
      memo[2 * i + 1] = last;
      memo[2 * i] = id;
    }
    return w.toBuffer();
  }

  decode(data: Uint8Array): string {
    return this.decodeSplit(data).text;
  }

  /** Decodes a record; `parts`/`slots` are empty for a record stored raw. */
  decodeSplit(data: Uint8Array): Pick<SplitRecord, "text" | "parts" | "slots"> {
    const r = new ByteReader(data);
    const header = r.varint();
    this.timeBase = 0;
    this.uuids.length = 0;
    if (header === HEADER_RAW) return { text: this.read(r), parts: [], slots: [] };
    let parts: readonly string[];
    if (header === HEADER_INLINE) {
      const count = r.varint();
      const inline: string[] = [];
      for (let i = 0; i < count; i++) inline.push(this.read(r));
      parts = inline;
    } else {
      parts = this.dict.shape(header - 1);
    }
    const slots: string[] = [];
    let text = parts[0] as string;
    for (let i = 1; i < parts.length; i++) {
      const slot = this.read(r);
      slots.push(slot);
      text += slot + (parts[i] as string);
    }
    return { text, parts, slots };
  }

  private tag(type: number, arg: number): void {
    this.w.varint(arg * 8 + type);
  }

  /**
   * Writes one slot; returns the dictionary id if it wrote a reference. Typed literals are never interned (so they need no dictionary lookup); a
   * UUID repeated within the record (EC2's responseElements.requestId) is a back-reference.
   */
  private value(s: string): number | undefined {
    const len = s.length;
    const first = s.charCodeAt(0);
    if (len === 36) {
      const kind = uuidCase(s);
      if (kind !== 0) {
        const again = this.uuids.indexOf(s);
        if (again >= 0) {
          this.tag(UUID_AGAIN, again);
        } else {
          this.uuids.push(s);
          this.tag(UUID, kind - 1);
          writeUuid(this.w, s);
        }
        return undefined;
      }
    } else if (len > 0 && len <= 20 && first >= 48 && first <= 57) {
      const t = len === 20 ? parseIsoSeconds(s) : undefined;
      if (t !== undefined) {
        this.tag(TIME, zigzag(t - this.timeBase));
        this.timeBase = t;
        return undefined;
      }
      const ip = parseIpv4(s);
      if (ip !== undefined) {
        this.tag(IPV4, ip);
        return undefined;
      }
      const n = parseUint(s);
      if (n !== undefined) {
        this.tag(UINT, n);
        return undefined;
      }
    }
    const id = this.dict.stringId(s, true);
    if (id !== undefined) this.tag(REF, id);
    else this.literal(s);
    return id;
  }

  private literal(s: string): void {
    const bytes = Buffer.byteLength(s);
    this.tag(STR, bytes);
    this.w.utf8(s, bytes);
  }

  private read(r: ByteReader): string {
    const v = r.varint();
    const type = v % 8;
    const arg = (v - type) / 8;
    switch (type) {
      case REF:
        return this.dict.string(arg);
      case STR:
        return r.utf8(arg);
      case UINT:
        return String(arg);
      case UUID: {
        const uuid = readUuid(r, arg === 1);
        this.uuids.push(uuid);
        return uuid;
      }
      case UUID_AGAIN: {
        const uuid = this.uuids[arg];
        if (uuid === undefined) throw new RangeError("corrupt record: bad UUID back-reference");
        return uuid;
      }
      case TIME:
        this.timeBase += unzigzag(arg);
        return formatIsoSeconds(this.timeBase);
      case IPV4:
        return formatIpv4(arg);
      default:
        throw new RangeError(`corrupt record: unknown slot type ${type}`);
    }
  }
}
