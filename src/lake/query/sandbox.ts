import { createHash } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { type DuckDBConnection, DuckDBInstance, type DuckDBPreparedStatement } from "@duckdb/node-api";
import { trinoMacroSql } from "../sql/trino-functions.js";
import { lit } from "../storage/parquet-writer.js";

/**
 * What one sandbox instance may read, relative to the stores folder: an account's whole folder
 * (its own queries: every store it has or will have), or the folders of exactly the event data
 * stores of another account that a cross-account query was granted (resource policies).
 */
export interface SandboxScope {
  /** Instances and their idle connections are kept per key. */
  readonly key: string;
  readonly folders: readonly string[];
  /** A cross-account grant (retired when a policy of one of its stores changes). */
  readonly grant: boolean;
}

export function accountScope(accountId: string): SandboxScope {
  return { key: accountId, folders: [accountId], grant: false };
}

/** The scope of a query reading other accounts' stores, by their folders (`<account>/<id>`). */
export function grantScope(storeFolders: readonly string[]): SandboxScope {
  const folders = [...new Set(storeFolders)].sort();
  const digest = createHash("sha256").update(folders.join("\n")).digest("hex").slice(0, 24);
  return { key: `grant-${digest}`, folders, grant: true };
}

interface Instance {
  readonly scope: SandboxScope;
  readonly ready: Promise<DuckDBInstance>;
  /** Open connections, idle or in use. */
  open: number;
  /** Taken out of service: closed once its last connection is. */
  retired: boolean;
}

/** A sandbox connection kept between queries, with the store views it was last given. */
export interface SandboxSession {
  readonly scope: SandboxScope;
  readonly conn: DuckDBConnection;
  /** Event data store ID → the definition of its temp view on this connection. */
  readonly views: Map<string, string>;
  readonly instance: Instance;
  /** The parse statement, prepared on first use: one DuckDB call per parse instead of three. */
  parser?: DuckDBPreparedStatement;
}

/** Idle connections kept per scope (as many as queries run at once by default). */
const MAX_IDLE = 4;
/**
 * Grant-scope instances kept at once. Each distinct set of granted stores a query reads gets a
 * DuckDB instance of its own, with the whole memory limit: without a bound, a caller could make
 * as many as it has combinations of grants. Past it, the least recently used one is retired.
 */
export const MAX_GRANT_INSTANCES = 8;

export interface SandboxOptions {
  /** `<lake>/stores`; a sandbox may read the folders of its scope under it only. */
  storesDir: string;
  /** Spill folder root; each scope gets its own. */
  tmpDir: string;
  memoryLimit: string;
  threads: number;
}

/**
 * Locked-down DuckDB instances where users' SQL runs, one per scope: no external access except
 * reading the scope's store folders and spilling to its own temp folder, no extension
 * installing or loading, configuration locked after set-up (so no SET/PRAGMA can undo it), a
 * memory limit. The Trino macros are created before the lock. Even a statement that slipped
 * past statement-check.ts could not read events its caller may not query, or any other file.
 * A grant scope's instance is retired when a policy of one of its stores changes or the store
 * goes, so instances do not outlive what they were built for.
 */
export class SandboxPool {
  private readonly instances = new Map<string, Instance>();
  private readonly idle = new Map<string, SandboxSession[]>();
  private closed = false;

  constructor(private readonly opts: SandboxOptions) {}

  /**
   * A connection of the scope's sandbox, reused from an earlier query when one is idle: a new
   * connection and new views cost more than a small query's own work.
   */
  async acquire(scope: SandboxScope): Promise<SandboxSession> {
    const session = this.idle.get(scope.key)?.pop();
    if (session) {
      this.touch(session.instance);
      return session;
    }
    const instance = this.instanceOf(scope);
    const conn = await (await instance.ready).connect();
    instance.open++;
    return { scope, conn, views: new Map(), instance };
  }

  /** Gives a session back; one whose statement failed or was interrupted is closed instead. */
  release(session: SandboxSession, reusable: boolean): void {
    let idle = this.idle.get(session.scope.key);
    if (!idle) {
      idle = [];
      this.idle.set(session.scope.key, idle);
    }
    if (reusable && !this.closed && !session.instance.retired && idle.length < MAX_IDLE) idle.push(session);
    else this.closeSession(session);
  }

  /** Retires every grant-scope instance that may read `storeFolder` (`<account>/<id>`). */
  retire(storeFolder: string): void {
    for (const instance of [...this.instances.values()]) {
      if (instance.scope.grant && instance.scope.folders.includes(storeFolder)) this.retireInstance(instance);
    }
  }

  /** Grant-scope instances in service. */
  get grantInstances(): number {
    let n = 0;
    for (const instance of this.instances.values()) if (instance.scope.grant) n++;
    return n;
  }

  private retireInstance(instance: Instance): void {
    const { scope } = instance;
    this.instances.delete(scope.key);
    instance.retired = true;
    for (const s of this.idle.get(scope.key)?.splice(0) ?? []) this.closeSession(s);
    if (instance.open === 0) void closeInstance(instance);
  }

  /** DuckDB's parse tree of `sql` as JSON (the input of checkStatement). */
  async parse(accountId: string, sql: string): Promise<string> {
    const session = await this.acquire(accountScope(accountId));
    let reusable = false;
    try {
      session.parser ??= await session.conn.prepare("SELECT json_serialize_sql(CAST($1 AS VARCHAR))");
      session.parser.bindVarchar(1, sql);
      const chunk = await (await session.parser.run()).fetchChunk();
      reusable = true;
      return String(chunk?.getColumnVector(0).getItem(0) ?? "");
    } finally {
      this.release(session, reusable);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const sessions of this.idle.values()) for (const s of sessions.splice(0)) closeConnection(s);
    for (const instance of this.instances.values()) await closeInstance(instance);
    this.instances.clear();
  }

  private instanceOf(scope: SandboxScope): Instance {
    let instance = this.instances.get(scope.key);
    if (instance) this.touch(instance);
    else {
      if (scope.grant && this.grantInstances >= MAX_GRANT_INSTANCES) {
        for (const oldest of this.instances.values()) {
          if (!oldest.scope.grant) continue;
          this.retireInstance(oldest);
          break;
        }
      }
      const created: Instance = { scope, ready: this.create(scope), open: 0, retired: false };
      created.ready.catch(() => {
        if (this.instances.get(scope.key) === created) this.instances.delete(scope.key);
      });
      this.instances.set(scope.key, created);
      instance = created;
    }
    return instance;
  }

  /** Most recently used last: the order of `instances` is the order of retirement. */
  private touch(instance: Instance): void {
    const { key } = instance.scope;
    if (this.instances.get(key) !== instance) return;
    this.instances.delete(key);
    this.instances.set(key, instance);
  }

  private closeSession(session: SandboxSession): void {
    closeConnection(session);
    session.instance.open--;
    if (session.instance.retired && session.instance.open === 0) void closeInstance(session.instance);
  }

  private async create(scope: SandboxScope): Promise<DuckDBInstance> {
    const readable = scope.folders.map((f) => join(this.opts.storesDir, f));
    const spill = join(this.opts.tmpDir, `query-${scope.key}`);
    for (const dir of readable) await mkdir(dir, { recursive: true });
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
      const allowed = [...readable, spill].map((d) => lit(`${d}/`)).join(", ");
      await conn.run(`SET allowed_directories = [${allowed}]`);
      await conn.run("SET enable_external_access = false");
      await conn.run("SET allow_community_extensions = false");
      await conn.run("SET lock_configuration = true");
    } finally {
      conn.closeSync();
    }
    return instance;
  }
}

function closeConnection(session: SandboxSession): void {
  session.parser?.destroySync();
  session.conn.closeSync();
}

async function closeInstance(instance: Instance): Promise<void> {
  try {
    (await instance.ready).closeSync();
  } catch {
    // an instance that failed to start has nothing to close
  }
}
