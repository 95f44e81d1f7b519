import type Database from "better-sqlite3";
import { openSqliteFile } from "../config/sqlite-file.js";
import type { PreviousDigest } from "./digest/digest-file.js";
import type { SelectionEpoch, TrailConfig, TrailRecord, TrailStatus } from "./trail-model.js";

/** A batch chosen for delivery, journaled before anything is written so a replay rewrites the same files. */
export interface DeliveryIntent {
  firstSeq: number;
  /** Exclusive. */
  endSeq: number;
  deliveredAt: number;
  bucket: string;
  prefix?: string;
}

/** A delivered log file waiting for its Region's next digest. */
export interface DeliveredFile {
  region: string;
  bucket: string;
  key: string;
  hash: string;
  newestEventTime: string;
  oldestEventTime: string;
  deliveredAt: number;
}

/** A digest chosen and signed, journaled before it is written. */
export interface PendingDigest {
  bucket: string;
  key: string;
  endMs: number;
  /** The uncompressed digest JSON exactly as signed. */
  body: string;
  signature: string;
  fileKeys: string[];
}

/** One digest chain (trail × Region) while it is open. */
export interface ChainState {
  /** digestStartTime of the next digest (CloudTrail format) and the same instant in ms. */
  startTime: string;
  startMs: number;
  previous: PreviousDigest | null;
  pending?: PendingDigest;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS trails (id TEXT PRIMARY KEY, config TEXT NOT NULL, status TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS epochs (trail_id TEXT NOT NULL, from_seq INTEGER NOT NULL, spec TEXT NOT NULL,
  PRIMARY KEY (trail_id, from_seq));
CREATE TABLE IF NOT EXISTS deliveries (trail_id TEXT PRIMARY KEY, next_seq INTEGER NOT NULL, intent TEXT);
CREATE TABLE IF NOT EXISTS pending_files (trail_id TEXT NOT NULL, s3_key TEXT NOT NULL, region TEXT NOT NULL,
  file TEXT NOT NULL, PRIMARY KEY (trail_id, s3_key));
CREATE TABLE IF NOT EXISTS digest_chains (trail_id TEXT NOT NULL, region TEXT NOT NULL, state TEXT NOT NULL,
  PRIMARY KEY (trail_id, region));
`;

/**
 * Trail configuration, status, selection epochs, delivery cursors and journals, digest chains:
 * one SQLite file (`<dataDir>/trails/trails.db`, WAL, synchronous=FULL) so that a delivery's
 * cursor, its files and the trail status commit together, and a journal is durable before the
 * object it describes is written.
 */
export class TrailStore {
  private readonly db: Database.Database;

  constructor(path: string) {
    this.db = openSqliteFile(path, { synchronous: "FULL", schema: SCHEMA });
  }

  close(): void {
    this.db.close();
  }

  loadTrails(): TrailRecord[] {
    const rows = this.db.prepare("SELECT config, status FROM trails").all() as Array<{
      config: string;
      status: string;
    }>;
    return rows.map((r) => ({
      config: JSON.parse(r.config) as TrailConfig,
      status: JSON.parse(r.status) as TrailStatus,
    }));
  }

  loadEpochs(trailId: string): SelectionEpoch[] {
    const rows = this.db
      .prepare("SELECT spec FROM epochs WHERE trail_id = ? ORDER BY from_seq")
      .all(trailId) as Array<{ spec: string }>;
    return rows.map((r) => JSON.parse(r.spec) as SelectionEpoch);
  }

  insertTrail(record: TrailRecord, epoch: SelectionEpoch): void {
    const id = record.config.id;
    this.db.transaction(() => {
      this.db
        .prepare("INSERT INTO trails (id, config, status) VALUES (?, ?, ?)")
        .run(id, JSON.stringify(record.config), JSON.stringify(record.status));
      this.db
        .prepare("INSERT INTO deliveries (trail_id, next_seq, intent) VALUES (?, ?, NULL)")
        .run(id, epoch.fromSeq);
      this.putEpoch(id, epoch);
    })();
  }

  /** Saves config and/or status, with the epoch the change starts, in one transaction. */
  saveTrail(record: TrailRecord, epoch?: SelectionEpoch): void {
    this.db.transaction(() => {
      this.db
        .prepare("UPDATE trails SET config = ?, status = ? WHERE id = ?")
        .run(JSON.stringify(record.config), JSON.stringify(record.status), record.config.id);
      if (epoch) this.putEpoch(record.config.id, epoch);
    })();
  }

  saveStatus(trailId: string, status: TrailStatus): void {
    this.db.prepare("UPDATE trails SET status = ? WHERE id = ?").run(JSON.stringify(status), trailId);
  }

  deleteTrail(trailId: string): void {
    this.db.transaction(() => {
      for (const table of ["trails", "epochs", "deliveries", "pending_files", "digest_chains"]) {
        const column = table === "trails" ? "id" : "trail_id";
        this.db.prepare(`DELETE FROM ${table} WHERE ${column} = ?`).run(trailId);
      }
    })();
  }

  deleteEpochs(trailId: string, fromSeqs: number[]): void {
    const del = this.db.prepare("DELETE FROM epochs WHERE trail_id = ? AND from_seq = ?");
    this.db.transaction(() => {
      for (const seq of fromSeqs) del.run(trailId, seq);
    })();
  }

  delivery(trailId: string): { nextSeq: number; intent?: DeliveryIntent } {
    const row = this.db.prepare("SELECT next_seq, intent FROM deliveries WHERE trail_id = ?").get(trailId) as
      | { next_seq: number; intent: string | null }
      | undefined;
    if (!row) return { nextSeq: 0 };
    return {
      nextSeq: row.next_seq,
      intent: row.intent ? (JSON.parse(row.intent) as DeliveryIntent) : undefined,
    };
  }

  /** Durably records the batch about to be written; everything before it was selected-empty. */
  saveIntent(trailId: string, intent: DeliveryIntent): void {
    this.db
      .prepare("UPDATE deliveries SET next_seq = ?, intent = ? WHERE trail_id = ?")
      .run(intent.firstSeq, JSON.stringify(intent), trailId);
  }

  /** Moves the cursor over records that selected nothing (no journal open). */
  saveCursor(trailId: string, nextSeq: number): void {
    this.db
      .prepare("UPDATE deliveries SET next_seq = ? WHERE trail_id = ? AND intent IS NULL AND next_seq < ?")
      .run(nextSeq, trailId, nextSeq);
  }

  /** The batch is in the bucket: cursor past it, journal cleared, files queued for the digest, status. */
  commitDelivery(trailId: string, nextSeq: number, files: DeliveredFile[], status: TrailStatus): void {
    const insert = this.db.prepare(
      "INSERT OR REPLACE INTO pending_files (trail_id, s3_key, region, file) VALUES (?, ?, ?, ?)",
    );
    this.db.transaction(() => {
      this.db
        .prepare("UPDATE deliveries SET next_seq = ?, intent = NULL WHERE trail_id = ?")
        .run(nextSeq, trailId);
      for (const f of files) insert.run(trailId, f.key, f.region, JSON.stringify(f));
      this.saveStatus(trailId, status);
    })();
  }

  pendingFiles(trailId: string, region: string): DeliveredFile[] {
    const rows = this.db
      .prepare("SELECT file FROM pending_files WHERE trail_id = ? AND region = ?")
      .all(trailId, region) as Array<{ file: string }>;
    return rows.map((r) => JSON.parse(r.file) as DeliveredFile).sort((a, b) => a.deliveredAt - b.deliveredAt);
  }

  pendingRegions(trailId: string): string[] {
    const rows = this.db
      .prepare("SELECT DISTINCT region FROM pending_files WHERE trail_id = ?")
      .all(trailId) as Array<{
      region: string;
    }>;
    return rows.map((r) => r.region);
  }

  /** Forgets delivered files no digest will cover (delivered before `before`, or all). */
  dropPendingFiles(trailId: string, region: string, before = Number.POSITIVE_INFINITY): void {
    const del = this.db.prepare("DELETE FROM pending_files WHERE trail_id = ? AND s3_key = ?");
    this.db.transaction(() => {
      for (const f of this.pendingFiles(trailId, region)) if (f.deliveredAt < before) del.run(trailId, f.key);
    })();
  }

  chains(trailId: string): Map<string, ChainState> {
    const rows = this.db
      .prepare("SELECT region, state FROM digest_chains WHERE trail_id = ?")
      .all(trailId) as Array<{
      region: string;
      state: string;
    }>;
    return new Map(rows.map((r) => [r.region, JSON.parse(r.state) as ChainState]));
  }

  saveChain(trailId: string, region: string, state: ChainState | undefined): void {
    if (state)
      this.db
        .prepare("INSERT OR REPLACE INTO digest_chains (trail_id, region, state) VALUES (?, ?, ?)")
        .run(trailId, region, JSON.stringify(state));
    else this.db.prepare("DELETE FROM digest_chains WHERE trail_id = ? AND region = ?").run(trailId, region);
  }

  /** The digest is in the bucket: chain advanced (or closed), its files no longer pending, status. */
  commitDigest(
    trailId: string,
    region: string,
    next: ChainState | undefined,
    fileKeys: string[],
    status: TrailStatus,
  ): void {
    const del = this.db.prepare("DELETE FROM pending_files WHERE trail_id = ? AND s3_key = ?");
    this.db.transaction(() => {
      this.saveChain(trailId, region, next);
      for (const key of fileKeys) del.run(trailId, key);
      this.saveStatus(trailId, status);
    })();
  }

  private putEpoch(trailId: string, epoch: SelectionEpoch): void {
    this.db
      .prepare("INSERT OR REPLACE INTO epochs (trail_id, from_seq, spec) VALUES (?, ?, ?)")
      .run(trailId, epoch.fromSeq, JSON.stringify(epoch));
  }
}
