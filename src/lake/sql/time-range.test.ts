import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { quoteStoreIds } from "./quote-store-ids.js";
import { checkStatement } from "./statement-check.js";

const A = "4f0e2a0c-8d61-4c52-9f37-5b2f1a0e6c11";
const B = "9a1b2c3d-0000-4c52-9f37-5b2f1a0e6c22";
const ms = (iso: string) => Date.parse(iso);

describe("eventTime ranges for partition pruning (DuckDB's parser)", () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  const ranges = async (sql: string) => {
    const reader = await conn.runAndReadAll("SELECT json_serialize_sql(CAST($1 AS VARCHAR))", [
      quoteStoreIds(sql),
    ]);
    const found = checkStatement(String(reader.getRows()[0]?.[0])).timeRanges;
    return Object.fromEntries([...found].map(([k, r]) => [k === A ? "A" : "B", [r.from, r.to]]));
  };
  before(async () => {
    instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    conn = await instance.connect();
  });
  after(() => {
    conn.closeSync();
    instance.closeSync();
  });

  const cases: Array<[string, string, Record<string, [number, number]>]> = [
    [
      "both bounds of one store",
      `SELECT count(*) FROM ${A} WHERE eventTime >= '2024-03-21 00:00:00' AND eventTime < '2024-03-22 00:00:00'`,
      { A: [ms("2024-03-21T00:00:00Z"), ms("2024-03-22T00:00:00Z")] },
    ],
    [
      "reversed operands, TIMESTAMP literal, BETWEEN, date only",
      `SELECT 1 FROM ${A} WHERE TIMESTAMP '2024-03-01' <= eventtime AND eventTime BETWEEN '2024-02-01' AND '2024-04-01T12:00:00Z'`,
      { A: [ms("2024-03-01T00:00:00Z"), ms("2024-04-01T12:00:00Z")] },
    ],
    [
      "a join: only the alias the bound names",
      `SELECT 1 FROM ${A} x JOIN ${B} y ON x.eventID = y.eventID WHERE x.eventTime >= '2024-03-11'`,
      { A: [ms("2024-03-11T00:00:00Z"), Infinity] },
    ],
    [
      "an unqualified eventTime with two tables names neither",
      `SELECT 1 FROM ${A} x JOIN ${B} y ON x.eventID = y.eventID WHERE eventTime >= '2024-03-11'`,
      {},
    ],
    [
      "a bound under OR is not a bound",
      `SELECT 1 FROM ${A} WHERE eventTime >= '2024-03-11' OR eventName = 'x'`,
      {},
    ],
    [
      "NOT of a comparison (the parser turns it around)",
      `SELECT 1 FROM ${A} WHERE NOT (eventTime >= '2024-03-11')`,
      { A: [-Infinity, ms("2024-03-11T00:00:00Z")] },
    ],
    [
      "NOT of BETWEEN is not a bound",
      `SELECT 1 FROM ${A} WHERE eventTime NOT BETWEEN '2024-03-11' AND '2024-03-12'`,
      {},
    ],
    ["a computed value is not a bound", `SELECT 1 FROM ${A} WHERE eventTime >= now() - INTERVAL 1 DAY`, {}],
    [
      "a store also read without a bound is read whole",
      `SELECT 1 FROM ${A} WHERE eventTime > '2024-03-11' UNION ALL SELECT 1 FROM ${A}`,
      {},
    ],
    [
      "two bounded reads: their union",
      `WITH w AS (SELECT * FROM ${A} WHERE eventTime >= '2024-03-20') SELECT 1 FROM w UNION ALL SELECT 1 FROM ${A} WHERE eventTime = '2024-03-02 10:00:00'`,
      { A: [ms("2024-03-02T10:00:00Z"), Infinity] },
    ],
    [
      "a bound in a subquery's WHERE, not the outer one",
      `SELECT count(*) FROM (SELECT * FROM ${A} WHERE eventTime < '2024-01-01') t WHERE t.eventTime > '2023-12-01'`,
      { A: [-Infinity, ms("2024-01-01T00:00:00Z")] },
    ],
  ];
  for (const [name, sql, expected] of cases)
    it(name, async () => assert.deepEqual(await ranges(sql), expected));
});
