import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { DuckDBConnection } from "@duckdb/node-api";
import {
  accountScope,
  grantScope,
  MAX_GRANT_INSTANCES,
  SandboxPool,
  type SandboxScope,
  type SandboxSession,
} from "./sandbox.js";

/**
 * The second wall: even SQL that bypassed the statement rules runs in a DuckDB instance that
 * cannot touch any file outside the account's own store folder, cannot load extensions and
 * cannot change its configuration.
 */
describe("SandboxPool (DuckDB locked down per account)", () => {
  const root = mkdtempSync(join(tmpdir(), "ot-sandbox-"));
  const stores = join(root, "stores");
  const pool = new SandboxPool({
    storesDir: stores,
    tmpDir: join(root, "tmp"),
    memoryLimit: "256MB",
    threads: 1,
  });
  let conn: DuckDBConnection;
  let session: SandboxSession;
  const secret = join(root, "secret.csv");

  before(async () => {
    mkdirSync(join(stores, "111111111111"), { recursive: true });
    mkdirSync(join(stores, "222222222222"), { recursive: true });
    writeFileSync(secret, "a,b\n1,2\n");
    writeFileSync(join(stores, "111111111111", "mine.csv"), "x\n1\n");
    writeFileSync(join(stores, "222222222222", "theirs.csv"), "x\n2\n");
    for (const store of ["granted", "other"]) {
      mkdirSync(join(stores, "222222222222", store), { recursive: true });
      writeFileSync(join(stores, "222222222222", store, "events.csv"), `x\n${store}\n`);
    }
    session = await pool.acquire(accountScope("111111111111"));
    conn = session.conn;
  });
  after(async () => {
    if (session) pool.release(session, false);
    await pool.close();
    rmSync(root, { recursive: true, force: true });
  });

  const fails = async (sql: string, message: RegExp) => {
    await assert.rejects(conn.run(sql), (e: Error) => {
      assert.match(e.message, message, sql);
      return true;
    });
  };

  it("reads the account's own folder only", async () => {
    const rows = (
      await conn.runAndReadAll(`SELECT x FROM read_csv('${join(stores, "111111111111", "mine.csv")}')`)
    ).getRows();
    assert.deepEqual(rows, [[1n]]);
    await fails(
      `SELECT * FROM read_csv('${join(stores, "222222222222", "theirs.csv")}')`,
      /Permission Error/,
    );
    await fails(`SELECT * FROM read_csv('${secret}')`, /Permission Error/);
  });
  it("configuration is locked", async () => {
    await fails("SET enable_external_access = true", /locked/);
    await fails("SET allowed_directories = ['/']", /locked/);
    await fails("SET memory_limit = '64GB'", /locked/);
  });
  it("no extensions, no ATTACH, no network", async () => {
    await fails("INSTALL httpfs", /Permission Error|disabled/);
    await fails("LOAD httpfs", /disabled/);
    await fails(`ATTACH '${join(root, "x.duckdb")}'`, /Permission Error/);
    await fails("SELECT * FROM read_csv('http://127.0.0.1:1/x.csv')", /Permission Error|disabled/);
  });
  it("Trino macros are there (created before the lock)", async () => {
    const rows = (
      await conn.runAndReadAll(
        "SELECT element_at(MAP {'k': 'v'}, 'k'), json_extract_scalar('{\"a\":1}', '$.a')",
      )
    ).getRows();
    assert.deepEqual(rows, [["v", "1"]]);
  });
  it("a grant scope reads the granted stores' folders and nothing else; retiring it replaces it", async () => {
    const scope = grantScope(["222222222222/granted"]);
    const granted = await pool.acquire(scope);
    const read = (store: string) =>
      granted.conn.runAndReadAll(
        `SELECT x FROM read_csv('${join(stores, "222222222222", store, "events.csv")}')`,
      );
    assert.deepEqual((await read("granted")).getRows(), [["granted"]]);
    // One at a time: queries started together could reject before their turn to be awaited,
    // which node:test reports as an unhandled rejection.
    for (const denied of [
      () => read("other"),
      () => granted.conn.run(`SELECT * FROM read_csv('${join(stores, "222222222222", "theirs.csv")}')`),
      () => granted.conn.run(`SELECT * FROM read_csv('${join(stores, "111111111111", "mine.csv")}')`),
    ])
      await assert.rejects(denied, /Permission Error/);
    pool.release(granted, true);
    const again = await pool.acquire(scope);
    assert.equal(again.conn, granted.conn, "an idle session of the scope is reused");
    pool.release(again, true);
    pool.retire("222222222222/granted");
    const fresh = await pool.acquire(scope);
    assert.notEqual(fresh.instance, granted.instance, "a retired scope gets a new instance");
    assert.equal(granted.instance.open, 0, "the retired instance's idle connection was closed");
    pool.release(fresh, true);
  });

  it("keeps at most MAX_GRANT_INSTANCES grant scopes, retiring the least recently used", async () => {
    const own = new SandboxPool({
      storesDir: stores,
      tmpDir: join(root, "tmp-cap"),
      memoryLimit: "64MB",
      threads: 1,
    });
    try {
      const scopes = Array.from({ length: MAX_GRANT_INSTANCES + 1 }, (_, i) =>
        grantScope([`222222222222/s${i}`]),
      );
      const sessions: SandboxSession[] = [];
      for (const scope of scopes.slice(0, MAX_GRANT_INSTANCES)) {
        const s = await own.acquire(scope);
        sessions.push(s);
        own.release(s, true);
      }
      assert.equal(own.grantInstances, MAX_GRANT_INSTANCES);
      // The first scope used again: the second is now the least recently used.
      own.release(await own.acquire(scopes[0] as SandboxScope), true);
      const last = await own.acquire(scopes[MAX_GRANT_INSTANCES] as SandboxScope);
      try {
        assert.equal(own.grantInstances, MAX_GRANT_INSTANCES);
        assert.equal(sessions[1]?.instance.retired, true, "the least recently used scope was retired");
        assert.equal(sessions[1]?.instance.open, 0, "and its idle connection closed");
        assert.equal(sessions[0]?.instance.retired, false);
        assert.deepEqual((await last.conn.runAndReadAll("SELECT 42")).getRows(), [[42]]);
      } finally {
        own.release(last, true);
      }
    } finally {
      await own.close();
    }
  });
});
