import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { trinoMacroSql } from "../sql/trino-functions.js";
import { lit } from "../storage/parquet-writer.js";

/** A sandbox connection kept between queries, with the store views it was last given. */
export interface SandboxSession {
  readonly accountId: string;
  readonly conn: DuckDBConnection;
  /** Event data store ID → the definition of its temp view on this connection. */
  readonly views: Map<string, string>;
}

/** Idle connections kept per account (as many as queries run at once by default). */
const MAX_IDLE = 4;

export interface SandboxOptions {
  /** `<lake>/stores`; an account's sandbox may read `<storesDir>/<account>/` only. */
  storesDir: string;
  /** Spill folder root; each account gets its own. */
  tmpDir: string;
  memoryLimit: string;
  threads: number;
}

/**
 * One locked-down DuckDB instance per account, where users' SQL runs: no external access
 * except reading the account's own store folder and spilling to its own temp folder, no
 * extension installing or loading, configuration locked after set-up (so no SET/PRAGMA can
 * undo it), a memory limit. The Trino macros are created before the lock. Even a statement
 * that slipped past statement-check.ts could not read another account's events or any
 * other file.
 */
export class SandboxPool {
  private readonly instances = new Map<string, Promise<DuckDBInstance>>();
  private readonly idle = new Map<string, SandboxSession[]>();
  private closed = false;

  constructor(private readonly opts: SandboxOptions) {}

  /**
   * A connection of the account's sandbox, reused from an earlier query when one is idle: a
   * new connection and new views cost more than a small query's own work.
   */
  async acquire(accountId: string): Promise<SandboxSession> {
    const session = this.idle.get(accountId)?.pop();
    if (session) return session;
    return { accountId, conn: await this.connect(accountId), views: new Map() };
  }

  /** Gives a session back; one whose statement failed or was interrupted is closed instead. */
  release(session: SandboxSession, reusable: boolean): void {
    let idle = this.idle.get(session.accountId);
    if (!idle) {
      idle = [];
      this.idle.set(session.accountId, idle);
    }
    if (reusable && !this.closed && idle.length < MAX_IDLE) idle.push(session);
    else session.conn.closeSync();
  }

  connect(accountId: string): Promise<DuckDBConnection> {
    let instance = this.instances.get(accountId);
    if (!instance) {
      instance = this.create(accountId);
      this.instances.set(accountId, instance);
      instance.catch(() => this.instances.delete(accountId));
    }
    return instance.then((i) => i.connect());
  }

  /** DuckDB's parse tree of `sql` as JSON (the input of checkStatement). */
  async parse(accountId: string, sql: string): Promise<string> {
    const session = await this.acquire(accountId);
    let reusable = false;
    try {
      const reader = await session.conn.runAndReadAll("SELECT json_serialize_sql(CAST($1 AS VARCHAR))", [
        sql,
      ]);
      reusable = true;
      return String(reader.getRows()[0]?.[0] ?? "");
    } finally {
      this.release(session, reusable);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const sessions of this.idle.values()) for (const s of sessions.splice(0)) s.conn.closeSync();
    for (const p of this.instances.values()) {
      try {
        (await p).closeSync();
      } catch {
        // an instance that failed to start has nothing to close
      }
    }
    this.instances.clear();
  }

  private async create(accountId: string): Promise<DuckDBInstance> {
    const storeDir = join(this.opts.storesDir, accountId);
    const spill = join(this.opts.tmpDir, `query-${accountId}`);
    await mkdir(storeDir, { recursive: true });
    await mkdir(spill, { recursive: true });
    const instance = await DuckDBInstance.create(":memory:", {
      threads: String(this.opts.threads),
      memory_limit: this.opts.memoryLimit,
      temp_directory: spill,
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
    });
    const conn = await instance.connect();
    try {
      await conn.run("SET TimeZone = 'UTC'");
      // Store files are immutable (replaced, never rewritten), so their footers can be cached.
      await conn.run("SET parquet_metadata_cache = true");
      for (const sql of trinoMacroSql()) await conn.run(sql);
      await conn.run(`SET allowed_directories = [${lit(`${storeDir}/`)}, ${lit(`${spill}/`)}]`);
      await conn.run("SET enable_external_access = false");
      await conn.run("SET allow_community_extensions = false");
      await conn.run("SET lock_configuration = true");
    } finally {
      conn.closeSync();
    }
    return instance;
  }
}
