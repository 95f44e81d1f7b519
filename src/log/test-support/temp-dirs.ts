import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Temp directories for one test file, removed together in `after`. */
export class TempDirs {
  private readonly dirs: string[] = [];

  async make(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "opentrail-log-"));
    this.dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  }
}

/** A recognisable payload of `size` bytes (at least the id's length) for record `id`. */
export function payloadFor(id: string | number, size = 64): Buffer {
  const head = Buffer.from(`${id}|`);
  const buf = Buffer.alloc(Math.max(size, head.length), 0x61 + (String(id).length % 26));
  head.copy(buf);
  return buf;
}

/** Collects what the log reports, for assertions. */
export function recordingLogger(): {
  warn(msg: string, fields?: Record<string, unknown>): void;
  warnings: string[];
} {
  const warnings: string[] = [];
  return { warnings, warn: (msg, fields) => warnings.push(`${msg} ${JSON.stringify(fields ?? {})}`) };
}
