import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import type Database from "better-sqlite3";
import { openSqliteFile } from "../config/sqlite-file.js";
import { CoalescedSync } from "./coalesced-sync.js";
import type { BucketRecord, MultipartUpload, ObjectMeta, ObjectVersion, UploadedPart } from "./model.js";

/**
 * The built-in store's metadata: buckets, every object version and multipart uploads, in one
 * SQLite file. Commits run with WAL and synchronous=NORMAL: a commit is in the OS's hands (it
 * survives kill -9) without an fsync that would block the event loop for every request;
 * `flush()` then makes it survive power loss too, with one fdatasync of the WAL shared by all
 * requests waiting at that moment (group commit). Nothing is acknowledged before `flush()`.
 * Keys are TEXT
 * under SQLite's BINARY collation, which compares UTF-8 bytes: listing order is S3's.
 * All methods are synchronous, so a read-check-write sequence without an `await` in between
 * is atomic with respect to other requests.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS buckets (
  name TEXT PRIMARY KEY, owner TEXT NOT NULL, region TEXT NOT NULL, created TEXT NOT NULL,
  versioning TEXT, object_lock INTEGER NOT NULL DEFAULT 0, lock_default TEXT, policy TEXT);
CREATE TABLE IF NOT EXISTS versions (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, bucket TEXT NOT NULL, key TEXT NOT NULL,
  version_id TEXT NOT NULL, latest INTEGER NOT NULL, delete_marker INTEGER NOT NULL,
  size INTEGER NOT NULL, etag TEXT NOT NULL, last_modified TEXT NOT NULL, blob TEXT, meta TEXT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS versions_by_id ON versions(bucket, key, version_id);
CREATE INDEX IF NOT EXISTS versions_by_key ON versions(bucket, key, seq);
CREATE INDEX IF NOT EXISTS current_objects ON versions(bucket, key) WHERE latest = 1 AND delete_marker = 0;
CREATE TABLE IF NOT EXISTS uploads (
  upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, initiated TEXT NOT NULL, meta TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS uploads_by_key ON uploads(bucket, key, initiated);
CREATE TABLE IF NOT EXISTS parts (
  upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, etag TEXT NOT NULL, size INTEGER NOT NULL,
  blob TEXT NOT NULL, last_modified TEXT NOT NULL, checksums TEXT, PRIMARY KEY (upload_id, part_number));
`;

interface BucketRow {
  name: string;
  owner: string;
  region: string;
  created: string;
  versioning: string | null;
  object_lock: number;
  lock_default: string | null;
  policy: string | null;
}

interface VersionRow {
  seq: number;
  bucket: string;
  key: string;
  version_id: string;
  latest: number;
  delete_marker: number;
  size: number;
  etag: string;
  last_modified: string;
  blob: string | null;
  meta: string;
}

interface PartRow {
  part_number: number;
  etag: string;
  size: number;
  blob: string;
  last_modified: string;
  checksums: string | null;
}

function toBucket(r: BucketRow): BucketRecord {
  return {
    name: r.name,
    ownerAccountId: r.owner,
    region: r.region,
    creationDate: new Date(r.created),
    versioning: (r.versioning ?? undefined) as BucketRecord["versioning"],
    objectLockEnabled: r.object_lock === 1,
    defaultRetention: r.lock_default ? JSON.parse(r.lock_default) : undefined,
    policy: r.policy ?? undefined,
  };
}

export type StoredVersion = ObjectVersion & { seq: number };

function toVersion(r: VersionRow): StoredVersion {
  return {
    seq: r.seq,
    bucket: r.bucket,
    key: r.key,
    versionId: r.version_id,
    isLatest: r.latest === 1,
    deleteMarker: r.delete_marker === 1,
    size: r.size,
    etag: r.etag,
    lastModified: new Date(r.last_modified),
    blob: r.blob ?? undefined,
    meta: JSON.parse(r.meta) as ObjectMeta,
  };
}

function toPart(r: PartRow): UploadedPart {
  return {
    partNumber: r.part_number,
    etag: r.etag,
    size: r.size,
    blob: r.blob,
    lastModified: new Date(r.last_modified),
    checksums: r.checksums ? JSON.parse(r.checksums) : undefined,
  };
}

export class ObjectIndex {
  private readonly db: Database.Database;
  private readonly stmts;
  private readonly walSync: CoalescedSync;
  private wal: FileHandle | undefined;

  constructor(private readonly file: string) {
    // NORMAL in WAL mode still syncs the WAL before and the database after each checkpoint.
    this.db = openSqliteFile(file, { synchronous: "NORMAL", schema: SCHEMA });
    const totalChanges = this.db.prepare("SELECT total_changes()").pluck();
    this.walSync = new CoalescedSync(
      () => this.syncWal(),
      () => totalChanges.get() as number,
    );
    const p = (sql: string) => this.db.prepare(sql);
    this.stmts = {
      insertBucket: p(
        "INSERT OR IGNORE INTO buckets (name, owner, region, created, versioning, object_lock) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      getBucket: p("SELECT * FROM buckets WHERE name = ?"),
      listBuckets: p("SELECT * FROM buckets WHERE owner = ? ORDER BY name"),
      deleteBucket: p("DELETE FROM buckets WHERE name = ?"),
      anyVersion: p("SELECT 1 FROM versions WHERE bucket = ? LIMIT 1"),
      latest: p("SELECT * FROM versions WHERE bucket = ? AND key = ? AND latest = 1"),
      byId: p("SELECT * FROM versions WHERE bucket = ? AND key = ? AND version_id = ?"),
      unsetLatest: p("UPDATE versions SET latest = 0 WHERE bucket = ? AND key = ? AND latest = 1"),
      deleteSeq: p("DELETE FROM versions WHERE seq = ?"),
      newest: p("SELECT seq FROM versions WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1"),
      setLatest: p("UPDATE versions SET latest = 1 WHERE seq = ?"),
      setMeta: p("UPDATE versions SET meta = ? WHERE seq = ?"),
      insertVersion: p(
        `INSERT INTO versions (bucket, key, version_id, latest, delete_marker, size, etag, last_modified, blob, meta)
         VALUES (@bucket, @key, @version_id, 1, @delete_marker, @size, @etag, @last_modified, @blob, @meta)`,
      ),
      currentAfter: p(
        "SELECT * FROM versions WHERE bucket = ? AND latest = 1 AND delete_marker = 0 AND key > ? ORDER BY key LIMIT ?",
      ),
      currentFrom: p(
        "SELECT * FROM versions WHERE bucket = ? AND latest = 1 AND delete_marker = 0 AND key >= ? ORDER BY key LIMIT ?",
      ),
      versionsAfter: p("SELECT * FROM versions WHERE bucket = ? AND key > ? ORDER BY key, seq DESC LIMIT ?"),
      versionsFrom: p("SELECT * FROM versions WHERE bucket = ? AND key >= ? ORDER BY key, seq DESC LIMIT ?"),
      versionsOfKeyBefore: p(
        "SELECT * FROM versions WHERE bucket = ? AND key = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
      ),
      insertUpload: p("INSERT INTO uploads (upload_id, bucket, key, initiated, meta) VALUES (?, ?, ?, ?, ?)"),
      getUpload: p("SELECT * FROM uploads WHERE upload_id = ?"),
      uploadsOf: p("SELECT upload_id FROM uploads WHERE bucket = ?"),
      deleteUpload: p("DELETE FROM uploads WHERE upload_id = ?"),
      getPart: p("SELECT * FROM parts WHERE upload_id = ? AND part_number = ?"),
      putPart: p(
        `INSERT OR REPLACE INTO parts (upload_id, part_number, etag, size, blob, last_modified, checksums)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      listParts: p(
        "SELECT * FROM parts WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?",
      ),
      deleteParts: p("DELETE FROM parts WHERE upload_id = ?"),
    };
  }

  /** Resolves once every change committed so far is on disk. */
  flush(): Promise<void> {
    return this.walSync.flush();
  }

  private async syncWal(): Promise<void> {
    // The -wal file exists from the first commit on and stays (same inode) until close.
    this.wal ??= await open(`${this.file}-wal`, "r");
    await this.wal.datasync();
  }

  async close(): Promise<void> {
    await this.flush().catch(() => undefined);
    await this.wal?.close();
    this.wal = undefined;
    this.db.close();
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** False when a bucket of that name exists already. */
  insertBucket(b: BucketRecord): boolean {
    const r = this.stmts.insertBucket.run(
      b.name,
      b.ownerAccountId,
      b.region,
      b.creationDate.toISOString(),
      b.versioning ?? null,
      b.objectLockEnabled ? 1 : 0,
    );
    return r.changes === 1;
  }

  getBucket(name: string): BucketRecord | undefined {
    const r = this.stmts.getBucket.get(name) as BucketRow | undefined;
    return r && toBucket(r);
  }

  listBuckets(owner: string): BucketRecord[] {
    return (this.stmts.listBuckets.all(owner) as BucketRow[]).map(toBucket);
  }

  updateBucket(
    name: string,
    patch: Partial<Pick<BucketRecord, "versioning" | "objectLockEnabled" | "defaultRetention" | "policy">>,
  ): void {
    const cols: Record<string, unknown> = {};
    if ("versioning" in patch) cols.versioning = patch.versioning ?? null;
    if ("objectLockEnabled" in patch) cols.object_lock = patch.objectLockEnabled ? 1 : 0;
    if ("defaultRetention" in patch) {
      cols.lock_default = patch.defaultRetention ? JSON.stringify(patch.defaultRetention) : null;
    }
    if ("policy" in patch) cols.policy = patch.policy ?? null;
    const names = Object.keys(cols);
    if (names.length === 0) return;
    const sets = names.map((c) => `${c} = @${c}`).join(", ");
    this.db.prepare(`UPDATE buckets SET ${sets} WHERE name = @name`).run({ ...cols, name });
  }

  hasVersions(bucket: string): boolean {
    return this.stmts.anyVersion.get(bucket) !== undefined;
  }

  /** Deletes the bucket and its abandoned multipart uploads; returns the part blobs to remove. */
  deleteBucket(name: string): string[] {
    return this.transaction(() => {
      const blobs: string[] = [];
      for (const { upload_id } of this.stmts.uploadsOf.all(name) as { upload_id: string }[]) {
        blobs.push(...this.deleteUpload(upload_id).map((p) => p.blob));
      }
      this.stmts.deleteBucket.run(name);
      return blobs;
    });
  }

  /** The current version of a key (possibly a delete marker). */
  latest(bucket: string, key: string): StoredVersion | undefined {
    const r = this.stmts.latest.get(bucket, key) as VersionRow | undefined;
    return r && toVersion(r);
  }

  version(bucket: string, key: string, versionId: string): StoredVersion | undefined {
    const r = this.stmts.byId.get(bucket, key, versionId) as VersionRow | undefined;
    return r && toVersion(r);
  }

  /**
   * Makes `v` the current version of its key. A `"null"` version replaces any earlier null
   * version (S3's rule for unversioned and suspended buckets). Returns the versions removed.
   */
  putVersion(v: Omit<ObjectVersion, "isLatest">): StoredVersion[] {
    return this.transaction(() => {
      const removed: StoredVersion[] = [];
      if (v.versionId === "null") {
        const old = this.version(v.bucket, v.key, "null");
        if (old) {
          this.stmts.deleteSeq.run(old.seq);
          removed.push(old);
        }
      }
      this.stmts.unsetLatest.run(v.bucket, v.key);
      this.stmts.insertVersion.run({
        bucket: v.bucket,
        key: v.key,
        version_id: v.versionId,
        delete_marker: v.deleteMarker ? 1 : 0,
        size: v.size,
        etag: v.etag,
        last_modified: v.lastModified.toISOString(),
        blob: v.blob ?? null,
        meta: JSON.stringify(v.meta),
      });
      return removed;
    });
  }

  /** Permanently removes one version; the next newest becomes current. */
  removeVersion(v: StoredVersion): void {
    this.transaction(() => {
      this.stmts.deleteSeq.run(v.seq);
      if (!v.isLatest) return;
      const next = this.stmts.newest.get(v.bucket, v.key) as { seq: number } | undefined;
      if (next) this.stmts.setLatest.run(next.seq);
    });
  }

  updateMeta(v: StoredVersion, meta: ObjectMeta): void {
    this.stmts.setMeta.run(JSON.stringify(meta), v.seq);
  }

  /** Current, non-deleted objects with key > `from` (>= when `inclusive`), in key order. */
  listCurrent(bucket: string, from: string, inclusive: boolean, limit: number): StoredVersion[] {
    const stmt = inclusive ? this.stmts.currentFrom : this.stmts.currentAfter;
    return (stmt.all(bucket, from, limit) as VersionRow[]).map(toVersion);
  }

  /** All versions and delete markers with key > `from` (>=), by key then newest first. */
  listVersions(bucket: string, from: string, inclusive: boolean, limit: number): StoredVersion[] {
    const stmt = inclusive ? this.stmts.versionsFrom : this.stmts.versionsAfter;
    return (stmt.all(bucket, from, limit) as VersionRow[]).map(toVersion);
  }

  /** Versions of one key older than `seq`, newest first. */
  olderVersions(bucket: string, key: string, seq: number, limit: number): StoredVersion[] {
    return (this.stmts.versionsOfKeyBefore.all(bucket, key, seq, limit) as VersionRow[]).map(toVersion);
  }

  insertUpload(u: MultipartUpload): void {
    this.stmts.insertUpload.run(
      u.uploadId,
      u.bucket,
      u.key,
      u.initiated.toISOString(),
      JSON.stringify(u.meta),
    );
  }

  getUpload(uploadId: string): MultipartUpload | undefined {
    const r = this.stmts.getUpload.get(uploadId) as
      | { upload_id: string; bucket: string; key: string; initiated: string; meta: string }
      | undefined;
    if (!r) return undefined;
    return {
      uploadId: r.upload_id,
      bucket: r.bucket,
      key: r.key,
      initiated: new Date(r.initiated),
      meta: JSON.parse(r.meta),
    };
  }

  /** Stores a part, returning the part it replaced (same number), if any. */
  putPart(uploadId: string, part: UploadedPart): UploadedPart | undefined {
    return this.transaction(() => {
      const old = this.stmts.getPart.get(uploadId, part.partNumber) as PartRow | undefined;
      this.stmts.putPart.run(
        uploadId,
        part.partNumber,
        part.etag,
        part.size,
        part.blob,
        part.lastModified.toISOString(),
        part.checksums ? JSON.stringify(part.checksums) : null,
      );
      return old && toPart(old);
    });
  }

  listParts(uploadId: string, after = 0, limit = 10000): UploadedPart[] {
    return (this.stmts.listParts.all(uploadId, after, limit) as PartRow[]).map(toPart);
  }

  /** Removes an upload and its parts, returning the parts (their blobs are the caller's to delete). */
  deleteUpload(uploadId: string): UploadedPart[] {
    return this.transaction(() => {
      const parts = this.listParts(uploadId);
      this.stmts.deleteParts.run(uploadId);
      this.stmts.deleteUpload.run(uploadId);
      return parts;
    });
  }
}
