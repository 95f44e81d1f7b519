import type { PutObjectOptions, TrailBucketStore } from "../bucket-store.js";

export interface StoredObject {
  body: Buffer;
  contentType?: string;
  contentEncoding?: string;
  metadata: Record<string, string>;
}

/**
 * An in-memory bucket store for trail tests: buckets, objects, S3-ordered listing, and failure
 * injection (`failWith`) to simulate outages. The built-in store's contract is richer; trails
 * only need this much.
 */
export class MemoryBucketStore implements TrailBucketStore {
  readonly buckets = new Map<string, Map<string, StoredObject>>();
  /** When set, every putObject throws it (a store outage); cleared to heal. */
  failWith: Error | undefined;
  puts = 0;

  constructor(
    buckets: string[] = [],
    private readonly ownerAccountId = "123456789012",
  ) {
    for (const b of buckets) this.createBucket(b);
  }

  createBucket(name: string): void {
    if (!this.buckets.has(name)) this.buckets.set(name, new Map());
  }

  deleteBucket(name: string): void {
    this.buckets.delete(name);
  }

  async headBucket(bucket: string) {
    return this.buckets.has(bucket)
      ? { exists: true, ownerAccountId: this.ownerAccountId, region: "us-east-1" }
      : { exists: false };
  }

  async putObject(
    bucket: string,
    key: string,
    body: Buffer,
    opts: PutObjectOptions = {},
  ): Promise<{ etag: string }> {
    if (this.failWith) throw this.failWith;
    const objects = this.buckets.get(bucket);
    if (!objects)
      throw Object.assign(new Error("The specified bucket does not exist"), { code: "NoSuchBucket" });
    this.puts++;
    objects.set(key, {
      body: Buffer.from(body),
      contentType: opts.contentType,
      contentEncoding: opts.contentEncoding,
      metadata: { ...(opts.metadata ?? {}) },
    });
    return { etag: String(this.puts) };
  }

  get(bucket: string, key: string): StoredObject | undefined {
    return this.buckets.get(bucket)?.get(key);
  }

  /** Keys in S3's byte order, optionally under a prefix and after a marker. */
  keys(bucket: string, prefix = "", marker = ""): string[] {
    return [...(this.buckets.get(bucket)?.keys() ?? [])]
      .filter((k) => k.startsWith(prefix) && Buffer.compare(Buffer.from(k), Buffer.from(marker)) > 0)
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  delete(bucket: string, key: string): void {
    this.buckets.get(bucket)?.delete(key);
  }
}
