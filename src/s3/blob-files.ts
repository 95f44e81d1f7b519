import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { type FileHandle, mkdir, open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";

/**
 * Object bytes as immutable files named by a random id. A write goes to a temp file, is
 * fsync'd, renamed into place and the directory fsync'd, so once `write` resolves the bytes
 * survive a crash; only then does the index point at them. Files are never modified.
 */
export class BlobFiles {
  private readonly madeDirs = new Set<string>();

  constructor(private readonly root: string) {}

  /** Creates the folders and drops temp files of writes a crash interrupted. */
  init(): void {
    rmSync(join(this.root, "tmp"), { recursive: true, force: true });
    mkdirSync(join(this.root, "tmp"), { recursive: true });
  }

  path(id: string): string {
    return join(this.root, id.slice(0, 2), id);
  }

  private async dirFor(id: string): Promise<string> {
    const dir = join(this.root, id.slice(0, 2));
    if (!this.madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    return dir;
  }

  /** Writes bytes durably; `parts` are concatenated (for CompleteMultipartUpload). */
  async write(data: Buffer | (() => AsyncIterable<Buffer>)): Promise<string> {
    const id = randomBytes(16).toString("hex");
    const tmp = join(this.root, "tmp", id);
    const fh = await open(tmp, "w");
    try {
      if (Buffer.isBuffer(data)) await fh.writeFile(data);
      else for await (const chunk of data()) await fh.write(chunk);
      await fh.datasync();
    } finally {
      await fh.close();
    }
    const dir = await this.dirFor(id);
    await rename(tmp, join(dir, id));
    await syncDir(dir);
    return id;
  }

  async read(id: string, start?: number, end?: number): Promise<Buffer> {
    const fh = await open(this.path(id), "r");
    try {
      if (start === undefined) return await fh.readFile();
      const length = (end ?? start) - start + 1;
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await fh.read(buf, 0, length, start);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  /** Opens the file now (so a concurrent delete cannot take it away) and streams a byte range. */
  async stream(id: string, start?: number, end?: number): Promise<Readable> {
    const fh: FileHandle = await open(this.path(id), "r");
    return fh.createReadStream({ start, end, autoClose: true, highWaterMark: 1 << 20 });
  }

  async *chunks(id: string): AsyncIterable<Buffer> {
    const stream = await this.stream(id);
    for await (const chunk of stream) yield chunk as Buffer;
  }

  /** Best effort: a file left behind is garbage, never a correctness problem. */
  async remove(ids: Iterable<string | undefined>): Promise<void> {
    for (const id of ids) if (id) await unlink(this.path(id)).catch(() => undefined);
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
