import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { type FileHandle, mkdir, open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { BlobUpload, discard } from "./blob-upload.js";
import { CoalescedSync } from "./coalesced-sync.js";

/**
 * Object bytes as immutable files named by a random id. A write goes to a temp file, is
 * renamed into place, fdatasync'd and its folder fsync'd, so once `write` resolves the bytes
 * and their name survive a crash; only then does the index point at them. Files are never
 * modified, and removed only once the index change that dropped them is durable (`beforeRemove`).
 */
const SHARD_RUN = 256;

/** Temp files kept open ahead of need (see `temp`): about the PutObjects in flight at once. */
const SPARE_TEMP_FILES = 4;

interface TempFile {
  id: string;
  path: string;
  opened: Promise<FileHandle>;
}

interface Folder {
  dir: string;
  changes: number;
  sync: CoalescedSync;
  /** Kept open while writes go to this folder, so each fsync is one call rather than three. */
  handle?: Promise<FileHandle>;
}

export class BlobFiles {
  private readonly folders = new Map<string, Folder>();
  private readonly spares: TempFile[] = [];
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

  /**
   * A new temp file. Creating one took ~4 ms (median) under PutObject load here, which a
   * PutObject would wait out before its first byte could go to disk; so a few are opened ahead
   * and a write takes one that is ready. A crash leaves them empty in tmp/, which init empties.
   */
  private temp(): TempFile {
    const taken = this.spares.shift() ?? this.openTemp();
    while (this.spares.length < SPARE_TEMP_FILES) this.spares.push(this.openTemp());
    return taken;
  }

  private openTemp(): TempFile {
    const id = this.newId();
    const path = join(this.root, "tmp", id);
    const opened = open(path, "w");
    // Seen by whoever takes the file; a spare nobody took is only closed.
    opened.catch(() => undefined);
    return { id, path, opened };
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
    const { id, opened } = this.temp();
    const written = (async () => {
      const fh = await opened;
      if (Buffer.isBuffer(data)) await writeAll(fh, data);
      else for await (const chunk of data()) await writeAll(fh, chunk);
    })();
    return this.commit(id, opened, written);
  }

  /**
   * Starts a write whose bytes arrive over time (a PutObject body as it is received): a temp
   * file is filled as the bytes come, so receiving and writing overlap, and once the last byte
   * is in little more than the fsyncs is left. Same durability as `write`.
   */
  begin(): BlobUpload {
    const { id, path, opened } = this.temp();
    return new BlobUpload(path, opened, (written) => this.commit(id, opened, written));
  }

  /**
   * Makes a temp file an object file once `written` resolves (all its bytes written): renamed
   * into its folder, fdatasync'd, the folder fsync'd; resolves once all of that is durable. On
   * failure nothing is left behind.
   * The rename does not wait for the last bytes, nor the folder fsync for the fdatasync, so they
   * overlap (see BlobUpload for what that is worth): a crash in between leaves a file nothing
   * refers to, as a crash before the rename would, since the index points at an id only once
   * this has resolved. On ext4 the fdatasync and the folder fsync mostly share
   * one journal commit, which covers the data and the new name.
   */
  private async commit(id: string, opened: Promise<FileHandle>, written: Promise<void>): Promise<string> {
    // Awaited below, after the folder: its failure is no unhandled rejection meanwhile.
    written.catch(() => undefined);
    const tmp = join(this.root, "tmp", id);
    let final: string | undefined;
    try {
      const { dir, folder } = await this.folder(id);
      // The temp file exists once it is open.
      const renamed = opened.then(async () => {
        await rename(tmp, join(dir, id));
        final = join(dir, id);
        folder.changes++;
      });
      // Both settle before anything is decided: a failed write must not race the rename.
      const [moved, filled] = await Promise.allSettled([renamed, written]);
      if (moved.status === "rejected") throw moved.reason;
      if (filled.status === "rejected") throw filled.reason;
      const fh = await opened;
      const [synced, folderSynced] = await Promise.allSettled([fh.datasync(), folder.sync.flush()]);
      if (synced.status === "rejected") throw synced.reason;
      if (folderSynced.status === "rejected") throw folderSynced.reason;
      // The bytes are durable: closing need not delay the answer.
      fh.close().catch(() => undefined);
      return id;
    } catch (e) {
      await opened.then((fh) => fh.close()).catch(() => undefined);
      await unlink(final ?? tmp).catch(() => undefined);
      throw e;
    }
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

  /** Closes the folder handles kept for fsyncs and removes the spare temp files. */
  close(): void {
    for (const folder of this.folders.values()) closeHandle(folder);
    for (const spare of this.spares.splice(0))
      spare.opened.then((fh) => discard(fh, spare.path)).catch(() => undefined);
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
