import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { PutObjectOptions, TrailBucketStore } from "../bucket-store.js";

/** A bucket store on disk (objects survive the process), for crash tests across processes. */
export class FileBucketStore implements TrailBucketStore {
  constructor(
    private readonly root: string,
    private readonly onPut?: (bucket: string, key: string) => void,
  ) {}

  createBucket(name: string): void {
    mkdirSync(join(this.root, name), { recursive: true });
  }

  async headBucket(bucket: string) {
    return existsSync(join(this.root, bucket))
      ? { exists: true, ownerAccountId: "123456789012" }
      : { exists: false };
  }

  async putObject(bucket: string, key: string, body: Buffer, opts: PutObjectOptions = {}): Promise<unknown> {
    const path = join(this.root, bucket, key);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
    writeFileSync(`${path}.meta`, JSON.stringify(opts.metadata ?? {}));
    this.onPut?.(bucket, key);
    return {};
  }

  keys(bucket: string): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(dir, e.name));
        else if (!e.name.endsWith(".meta")) out.push(relative(join(this.root, bucket), join(dir, e.name)));
      }
    };
    if (existsSync(join(this.root, bucket))) walk(join(this.root, bucket));
    return out.sort();
  }

  read(bucket: string, key: string): Buffer {
    return readFileSync(join(this.root, bucket, key));
  }
}
