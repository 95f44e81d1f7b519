import { type FileHandle, unlink } from "node:fs/promises";

/**
 * An object file written while its bytes are still arriving (BlobFiles.begin). The body is
 * received into one buffer; each time more of it is in and the file is not busy, everything
 * received since the last write goes to the temp file in one positional write. So the bytes
 * are mostly on their way to the page cache when the last one arrives, and a PutObject costs
 * about max(receive, write) + the fsyncs rather than their sum.
 * Measured with 1 MB objects, 4 in flight, old and new store in one process, interleaved: this,
 * together with the temp files BlobFiles opens ahead and its overlapped rename and fsyncs, made
 * PutObject 1.23-1.43x as fast, at 15-20 % less CPU per object, as receiving and then writing;
 * leaving out any one of the three lost the gain.
 *
 * Nothing here is an object until `finish` has had the file renamed, fdatasync'd and its
 * folder fsync'd (BlobFiles' commit, as for BlobFiles.write) and an index entry refers to its
 * id; `abort` removes the temp file. Both wait for the write in flight, so the buffer may be
 * reused once they settle.
 */

/** Fewer bytes than this are not worth a write call of their own, except the last ones. */
const MIN_WRITE_BYTES = 128 * 1024;

/** Makes the file an object once `written` resolves (all bytes written); resolves to its id. */
export type CommitBlob = (written: Promise<void>) => Promise<string>;

export class BlobUpload {
  private fh: FileHandle | undefined;
  private body: Buffer | undefined;
  /** Bytes of `body` received so far, and written so far. */
  private received = 0;
  private written = 0;
  private writing = false;
  private state: "receiving" | "finishing" | "aborted" = "receiving";
  private failure: unknown;
  /** Called whenever a write or the open settles. */
  private wake: (() => void) | undefined;

  constructor(
    private readonly tmp: string,
    opened: Promise<FileHandle>,
    private readonly commit: CommitBlob,
  ) {
    opened.then(
      (fh) => {
        this.fh = fh;
        this.pump();
        this.settled();
      },
      (e: unknown) => {
        this.failure = e;
        this.settled();
      },
    );
  }

  /** Bytes [0, end) of `body` have arrived; `body` is the same buffer on every call. */
  append(body: Buffer, end: number): void {
    this.body = body;
    this.received = end;
    this.pump();
  }

  /** All bytes have arrived: the file becomes an object once they are written; resolves to its id. */
  finish(): Promise<string> {
    if (this.state !== "receiving")
      return Promise.reject(new Error("blob upload already finished or aborted"));
    this.state = "finishing";
    this.pump();
    return this.commit(
      this.idle().then(() => {
        if (this.failure !== undefined) throw this.failure;
      }),
    );
  }

  /** Drops the temp file (a refused or cut-off body). Does nothing once `finish` was called. */
  async abort(): Promise<void> {
    if (this.state !== "receiving") return;
    this.state = "aborted";
    await this.idle();
    if (this.fh) await discard(this.fh, this.tmp);
  }

  /** Writes what has arrived and is not written yet, when the file is open and free. */
  private pump(): void {
    const fh = this.fh;
    const body = this.body;
    if (!fh || !body || this.writing || this.failure !== undefined || this.state === "aborted") return;
    const from = this.written;
    const length = this.received - from;
    if (length === 0 || (length < MIN_WRITE_BYTES && this.state === "receiving")) return;
    this.writing = true;
    fh.write(body, from, length, from).then(
      ({ bytesWritten }) => {
        this.writing = false;
        this.written += bytesWritten;
        this.pump();
        this.settled();
      },
      (e: unknown) => {
        this.writing = false;
        this.failure = e;
        this.settled();
      },
    );
  }

  private settled(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Resolves once the file is open (or failed to) and no write is in flight or due. */
  private async idle(): Promise<void> {
    for (;;) {
      const opening = !this.fh && this.failure === undefined;
      const due = this.state === "finishing" && this.written < this.received && this.failure === undefined;
      if (!opening && !this.writing && !due) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }
}

/** Closes and removes a file that will never be an object. */
export async function discard(fh: FileHandle, path: string): Promise<void> {
  await fh.close().catch(() => undefined);
  await unlink(path).catch(() => undefined);
}
