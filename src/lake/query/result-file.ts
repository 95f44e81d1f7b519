import { appendFile, open, writeFile } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";

export type ResultRow = Array<string | null>;

/** Rows between two entries of the offset index; GetQueryResults pages are at most 1000. */
export const INDEX_STEP = 1000;
/** Rows are written in pieces of about this size: a small result costs one write. */
const FLUSH_CHARS = 1 << 20;
/** A result up to this size (JSON characters) is also kept as rows, for RecentResults. */
export const KEEP_CHARS = 4 << 20;

/**
 * A query's results on disk: one JSON array of formatted values per line, plus an index of the
 * byte offset of every INDEX_STEP-th row, so any page is read with one seek (results are kept
 * seven days and may be far larger than memory).
 */
export class ResultWriter {
  count = 0;
  readonly offsets: number[] = [0];
  /** The rows written, while they total at most KEEP_CHARS; undefined past that. */
  kept: ResultRow[] | undefined = [];
  keptChars = 0;
  private bytes = 0;
  private pending = "";
  private created = false;

  constructor(private readonly path: string) {}

  async append(rows: ResultRow[]): Promise<void> {
    for (const row of rows) {
      const line = `${JSON.stringify(row)}\n`;
      this.pending += line;
      if (this.kept) {
        this.keptChars += line.length;
        if (this.keptChars <= KEEP_CHARS) this.kept.push(row);
        else this.kept = undefined;
      }
      this.bytes += Buffer.byteLength(line);
      this.count++;
      if (this.count % INDEX_STEP === 0) this.offsets.push(this.bytes);
    }
    if (this.pending.length >= FLUSH_CHARS) await this.flush();
  }

  /** Writes what is buffered; the file exists afterwards, even for an empty result. */
  async flush(): Promise<void> {
    const text = this.pending;
    this.pending = "";
    if (this.created) {
      if (text) await appendFile(this.path, text);
    } else {
      await writeFile(this.path, text);
      this.created = true;
    }
  }
}

/** Rows [start, start + max) of a result file. */
export async function readRows(
  path: string,
  offsets: number[],
  start: number,
  max: number,
): Promise<ResultRow[]> {
  const slot = Math.min(Math.floor(start / INDEX_STEP), offsets.length - 1);
  const from = offsets[slot] ?? 0;
  let skip = start - slot * INDEX_STEP;
  // The index bounds the wanted rows' bytes: read just those (to the end past the last entry).
  const to = offsets[Math.ceil((start + max) / INDEX_STEP)];
  const handle = await open(path, "r");
  try {
    const rows: ResultRow[] = [];
    let position = from;
    let rest = "";
    const buf = Buffer.alloc(to === undefined ? 1 << 20 : Math.max(1, to - from));
    const decoder = new StringDecoder("utf8");
    while (rows.length < max) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const lines = (rest + decoder.write(buf.subarray(0, bytesRead))).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        if (skip > 0) skip--;
        else if (rows.length < max) rows.push(JSON.parse(line) as ResultRow);
      }
    }
    return rows;
  } finally {
    await handle.close();
  }
}
