import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { trinoMacroSql } from "../sql/trino-functions.js";
import { lit } from "../storage/parquet-writer.js";

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

  constructor(private readonly opts: SandboxOptions) {}

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
    const conn = await this.connect(accountId);
    try {
      const reader = await conn.runAndReadAll("SELECT json_serialize_sql(CAST($1 AS VARCHAR))", [sql]);
      return String(reader.getRows()[0]?.[0] ?? "");
    } finally {
      conn.closeSync();
    }
  }

  async close(): Promise<void> {
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
