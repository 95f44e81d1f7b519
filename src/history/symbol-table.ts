import type { Database, Statement } from "better-sqlite3";
import type { CodecDictionary } from "./record-codec.js";

/** Strings longer than this are never interned (they stay literals in each record). */
const MAX_INTERNED_LENGTH = 4096;
/** Bound on remembered first sightings; the set is simply cleared when full. */
const MAX_CANDIDATES = 1 << 18;

/** FNV-1a over UTF-16 code units. Only an in-memory admission hint: never persisted. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** A fresh copy, so an interned slice does not keep its whole record text alive. */
function own(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, "utf8").toString("utf8");
}

/**
 * The interned strings and record shapes of one history database, in memory for encoding and
 * decoding, and persisted append-only (ids are never reused or renumbered: stored records refer
 * to them). A string or shape is interned at its second sighting, so one-off values (request
 * ids, random tokens) never enter the table.
 *
 * Writes happen inside the caller's transaction; after a rollback the owner must reload().
 */
export class SymbolTable implements CodecDictionary {
  private ids = new Map<string, number>();
  private values: string[] = [];
  private shapeIds = new Map<string, number>();
  private shapes: string[][] = [];
  private candidates = new Set<number>();
  private readonly insertString: Statement<[number, string]>;
  private readonly insertShape: Statement<[number, string]>;

  constructor(private readonly db: Database) {
    this.insertString = db.prepare("INSERT INTO strings(id, s) VALUES (?, ?)");
    this.insertShape = db.prepare("INSERT INTO shapes(id, parts) VALUES (?, ?)");
    this.reload();
  }

  reload(): void {
    this.ids = new Map();
    this.values = [];
    for (const row of this.db.prepare("SELECT id, s FROM strings ORDER BY id").iterate() as Iterable<{
      id: number;
      s: string;
    }>) {
      this.values[row.id] = row.s;
      this.ids.set(row.s, row.id);
    }
    this.shapeIds = new Map();
    this.shapes = [];
    for (const row of this.db.prepare("SELECT id, parts FROM shapes ORDER BY id").iterate() as Iterable<{
      id: number;
      parts: string;
    }>) {
      this.shapes[row.id] = row.parts.split("\u0000");
      this.shapeIds.set(row.parts, row.id);
    }
    this.candidates.clear();
  }

  get size(): number {
    return this.ids.size;
  }

  stringId(s: string, admit: boolean): number | undefined {
    const id = this.ids.get(s);
    if (id !== undefined || !admit || s.length > MAX_INTERNED_LENGTH) return id;
    const h = hash(s);
    if (this.candidates.has(h)) {
      this.candidates.delete(h);
      return this.add(s);
    }
    if (this.candidates.size >= MAX_CANDIDATES) this.candidates.clear();
    this.candidates.add(h);
    return undefined;
  }

  string(id: number): string {
    const s = this.values[id];
    if (s === undefined) throw new RangeError(`corrupt record: unknown string ${id}`);
    return s;
  }

  shapeId(key: string, parts: readonly string[], admit: boolean): number | undefined {
    const id = this.shapeIds.get(key);
    if (id !== undefined || !admit) return id;
    const h = ~hash(key) >>> 0;
    if (!this.candidates.has(h)) {
      this.candidates.add(h);
      return undefined;
    }
    this.candidates.delete(h);
    const next = this.shapes.length === 0 ? 1 : this.shapes.length;
    const owned = own(key);
    this.insertShape.run(next, owned);
    this.shapes[next] = parts.map(own);
    this.shapeIds.set(owned, next);
    return next;
  }

  shape(id: number): readonly string[] {
    const parts = this.shapes[id];
    if (parts === undefined) throw new RangeError(`corrupt record: unknown shape ${id}`);
    return parts;
  }

  private add(s: string): number {
    const id = this.values.length === 0 ? 1 : this.values.length;
    const owned = own(s);
    this.insertString.run(id, owned);
    this.values[id] = owned;
    this.ids.set(owned, id);
    return id;
  }
}
