import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { type FileHandle, mkdir, open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { CoalescedSync } from "./coalesced-sync.js";

/**
 * Object bytes as immutable files named by a random id. A write goes to a temp file, is
 * renamed into place, fdatasync'd and its folder fsync'd, so once `write` resolves the bytes
 * and their name survive a crash; only then does the index point at them. Files are never
 * modified, and removed only once the index change that dropped them is durable (`beforeRemove`).
 */
const SHARD_RUN = 256;

interface Folder {
  dir: string;
  changes: number;
  sync: CoalescedSync;
  /** Kept open while writes go to this folder, so each fsync is one call rather than three. */
  handle?: Promise<FileHandle>;
}

export class BlobFiles {
  private readonly folders = new Map<string, Folder>();
  private written = 0;
  private readonly firstShard = randomBytes(1)[0] as number;

  constructor(
    private readonly root: string,
    private readonly beforeRemove: () => Promise<void> = async () => undefined,
  ) {}

  /** Creates the folders and drops temp files of writes a crash interrupted. */
  init(): void {
    rmSync(join(this.root, "tmp"), { recursive: true, force: true });
    mkdirSync(join(this.root, "tmp"), { recursive: true });
  }

  path(id: string): string {
    return join(this.root, id.slice(0, 2), id);
  }

  /**
   * Ids start with their folder's two hex digits. Consecutive writes share a folder, so the
   * folder fsyncs of concurrent writes coalesce into one.
   */
  private newId(): string {
    const shard = (this.firstShard + Math.floor(this.written++ / SHARD_RUN)) & 0xff;
    return shard.toString(16).padStart(2, "0") + randomBytes(15).toString("hex");
  }

  private async folder(id: string): Promise<{ dir: string; folder: Folder }> {
    const dir = join(this.root, id.slice(0, 2));
    let folder = this.folders.get(dir);
    if (!folder) {
      await mkdir(dir, { recursive: true });
      const created: Folder = {
        dir,
        changes: 0,
        sync: new CoalescedSync(
          () => syncFolder(created),
          () => created.changes,
        ),
      };
      // New ids now go here: the previous folder's handle is no longer worth an open descriptor.
      for (const old of this.folders.values()) closeHandle(old);
      created.handle = open(dir, "r");
      created.handle.catch(() => undefined);
      folder = created;
      this.folders.set(dir, folder);
    }
    return { dir, folder };
  }

  /**
   * Writes bytes durably; a function yields them in parts (CompleteMultipartUpload, CopyObject).
   * Until an index entry refers to the returned id, the file is no object: a PutObject writes
   * while its digests are computed and `drop`s the file when they refuse the body.
   */
  async write(data: Buffer | (() => AsyncIterable<Buffer>)): Promise<string> {
    const id = this.newId();
    const tmp = join(this.root, "tmp", id);
    const { dir, folder } = await this.folder(id);
    const final = join(dir, id);
    const fh = await open(tmp, "w");
    let renamed = false;
    try {
      if (Buffer.isBuffer(data)) await writeAll(fh, data);
      else for await (const chunk of data()) await writeAll(fh, chunk);
      // Renamed before the fdatasync: on ext4 one journal commit then covers the data and the
      // new name, and the folder fsync below usually finds nothing left to do. A crash in
      // between leaves a file nothing refers to, as a crash before the rename would.
      await rename(tmp, final);
      renamed = true;
      folder.changes++;
      await fh.datasync();
    } catch (e) {
      await fh.close().catch(() => undefined);
      await unlink(renamed ? final : tmp).catch(() => undefined);
      throw e;
    }
    // The bytes are durable: closing need not delay the answer.
    fh.close().catch(() => undefined);
    await folder.sync.flush();
    return id;
  }

  /** Removes a file no index entry has ever referred to (a refused upload's). */
  async drop(id: string): Promise<void> {
    await unlink(this.path(id)).catch(() => undefined);
  }

  /**
   * Reads `length` bytes from `start` (the index knows the size, so one read suffices), into
   * `into` when given (a pooled buffer of exactly `length` bytes).
   */
  async read(id: string, start: number, length: number, into?: Buffer): Promise<Buffer> {
    const fh = await open(this.path(id), "r");
    try {
      const buf = into ?? Buffer.allocUnsafe(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await fh.read(buf, filled, length - filled, start + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled === length ? buf : buf.subarray(0, filled);
    } finally {
      // Read-only: nothing to wait for before answering.
      fh.close().catch(() => undefined);
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

  /** Closes the folder handles kept for fsyncs. */
  close(): void {
    for (const folder of this.folders.values()) closeHandle(folder);
  }

  /** Best effort: a file left behind is garbage, never a correctness problem. */
  async remove(ids: Iterable<string | undefined>): Promise<void> {
    const present = [...ids].filter((id): id is string => id !== undefined);
    if (present.length === 0) return;
    // Unlinking before the index change is durable could leave a recovered index pointing at nothing.
    await this.beforeRemove();
    for (const id of present) await unlink(this.path(id)).catch(() => undefined);
  }
}

/** One write call for the whole buffer (FileHandle.writeFile splits it into 512 KiB writes). */
async function writeAll(fh: FileHandle, data: Buffer): Promise<void> {
  for (let done = 0; done < data.length; ) {
    const { bytesWritten } = await fh.write(data, done, data.length - done);
    done += bytesWritten;
  }
}

async function syncFolder(folder: Folder): Promise<void> {
  const handle = folder.handle;
  if (handle) {
    try {
      await (await handle).sync();
      return;
    } catch (e) {
      // Only a handle closed by a folder change is retried by path: after a failed fsync, a
      // second one may wrongly report success.
      if ((e as NodeJS.ErrnoException).code !== "EBADF" || folder.handle === handle) throw e;
    }
  }
  await syncDir(folder.dir);
}

function closeHandle(folder: Folder): void {
  const handle = folder.handle;
  folder.handle = undefined;
  handle?.then((fh) => fh.close()).catch(() => undefined);
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
