import { md5Hex } from "./checksums.js";
import { S3Errors } from "./errors.js";
import { type ListSource, listPage } from "./listing.js";
import { lockForNewVersion } from "./lock-rules.js";
import type { BucketRecord } from "./model.js";
import { assertBucketName, assertKey } from "./names.js";
import type { StoredVersion } from "./object-index.js";
import type {
  BucketInfo,
  ObjectStore,
  ObjectSummary,
  PutObjectOptions,
  StoredObject,
} from "./object-store.js";
import type { S3Runtime } from "./runtime.js";
import { commitVersion } from "./versions.js";

/**
 * The built-in store used directly by OpenTrail's own delivery: same buckets, versioning and
 * Object Lock defaults as the HTTP API, but no authorization and no CloudTrail event (the
 * delivery of log files must not log itself).
 */
export class BuiltinObjectStore implements ObjectStore {
  /** Keys fetched per index query by listObjects. */
  listPageSize = 1000;

  constructor(private readonly rt: S3Runtime) {}

  private bucket(name: string): BucketRecord {
    const b = this.rt.index.getBucket(name);
    if (!b) throw S3Errors.noSuchBucket(name);
    return b;
  }

  /** Creates a bucket owned by `ownerAccountId` (setup and tests; the API path is CreateBucket). */
  async createBucket(
    name: string,
    opts: { ownerAccountId: string; region?: string; objectLockEnabled?: boolean },
  ): Promise<void> {
    assertBucketName(name);
    const lock = opts.objectLockEnabled ?? false;
    const inserted = this.rt.index.insertBucket({
      name,
      ownerAccountId: opts.ownerAccountId,
      region: opts.region ?? this.rt.defaultRegion,
      creationDate: new Date(),
      objectLockEnabled: lock,
      versioning: lock ? "Enabled" : undefined,
    });
    if (!inserted) throw S3Errors.bucketAlreadyOwnedByYou(name);
    await this.rt.index.flush();
  }

  async putObject(bucket: string, key: string, body: Buffer, opts: PutObjectOptions = {}) {
    assertKey(key);
    const b = this.bucket(bucket);
    const blob = await this.rt.blobs.write(body);
    const v = await commitVersion(this.rt, b, key, {
      blob,
      size: body.length,
      etag: md5Hex(body),
      meta: {
        contentType: opts.contentType ?? "binary/octet-stream",
        contentEncoding: opts.contentEncoding,
        userMetadata: Object.fromEntries(
          Object.entries(opts.metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
        ),
        serverSideEncryption: "AES256",
        ownerAccountId: b.ownerAccountId,
        acl: "bucket-owner-full-control",
        ...lockForNewVersion({}, b, new Date()),
      },
    });
    await this.rt.index.flush();
    return { etag: v.etag, versionId: b.versioning ? v.versionId : undefined };
  }

  async getObject(bucket: string, key: string): Promise<StoredObject | undefined> {
    const v = this.rt.index.latest(this.bucket(bucket).name, key);
    if (!v || v.deleteMarker) return undefined;
    const body = v.blob ? await this.rt.blobs.read(v.blob, 0, v.size) : Buffer.alloc(0);
    return {
      body,
      metadata: { ...v.meta.userMetadata },
      contentType: v.meta.contentType,
      contentEncoding: v.meta.contentEncoding,
      etag: v.etag,
      size: v.size,
      lastModified: v.lastModified,
      versionId: v.versionId === "null" ? undefined : v.versionId,
    };
  }

  async headBucket(bucket: string): Promise<BucketInfo> {
    const b = this.rt.index.getBucket(bucket);
    return b ? { exists: true, ownerAccountId: b.ownerAccountId, region: b.region } : { exists: false };
  }

  async *listObjects(bucket: string, prefix: string, startAfter?: string): AsyncIterable<ObjectSummary> {
    const name = this.bucket(bucket).name;
    const source: ListSource<StoredVersion> = {
      keyOf: (v) => v.key,
      fromKey: (key, inclusive, limit) => this.rt.index.listCurrent(name, key, inclusive, limit),
      after: (v, limit) => this.rt.index.listCurrent(name, v.key, false, limit),
    };
    let marker = startAfter ?? "";
    for (;;) {
      const page = listPage(source, { prefix, marker, maxKeys: this.listPageSize });
      for (const e of page.entries) {
        if ("item" in e) yield { key: e.item.key, size: e.item.size, etag: e.item.etag };
      }
      const last = page.entries[page.entries.length - 1];
      if (!page.isTruncated || !last || !("item" in last)) return;
      marker = last.item.key;
    }
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    const b = this.bucket(bucket);
    if (b.versioning) {
      const current = this.rt.index.latest(b.name, key);
      if (!current || current.deleteMarker) return;
      await commitVersion(this.rt, b, key, {
        size: 0,
        etag: "",
        meta: { userMetadata: {}, ownerAccountId: b.ownerAccountId },
        deleteMarker: true,
      });
      await this.rt.index.flush();
      return;
    }
    const v = this.rt.index.latest(b.name, key);
    if (!v) return;
    this.rt.index.removeVersion(v);
    await this.rt.index.flush();
    await this.rt.blobs.remove([v.blob]);
  }
}
