import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { resultColumnNames } from "../query/result-columns.js";
import { quoteStoreIds } from "./quote-store-ids.js";
import { checkStatement } from "./statement-check.js";
import { trinoMacroSql } from "./trino-functions.js";

const ID = "4f0e2a0c-8d61-4c52-9f37-5b2f1a0e6c11";

describe("quoteStoreIds", () => {
  const cases: Array<[string, string]> = [
    [`SELECT * FROM ${ID}`, `SELECT * FROM "${ID}"`],
    [
      `SELECT a.x FROM ${ID} a JOIN ${ID.toUpperCase()} b ON a.x=b.x`,
      `SELECT a.x FROM "${ID}" a JOIN "${ID.toUpperCase()}" b ON a.x=b.x`,
    ],
    [`SELECT '${ID}' FROM "${ID}"`, `SELECT '${ID}' FROM "${ID}"`],
    [`SELECT 1 -- ${ID}\nFROM ${ID}`, `SELECT 1 -- ${ID}\nFROM "${ID}"`],
    [`SELECT 1 /* ${ID} */ FROM ${ID}`, `SELECT 1 /* ${ID} */ FROM "${ID}"`],
    [`SELECT 'it''s ${ID}' FROM x`, `SELECT 'it''s ${ID}' FROM x`],
    [`SELECT x${ID} FROM t`, `SELECT x${ID} FROM t`],
  ];
  for (const [input, output] of cases)
    it(input.replace(/\n/g, " "), () => assert.equal(quoteStoreIds(input), output));
});

describe("checkStatement and result column names (DuckDB's parser)", () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;
  const parse = async (sql: string) =>
    String(
      (await conn.runAndReadAll("SELECT json_serialize_sql(CAST($1 AS VARCHAR))", [sql])).getRows()[0]?.[0],
    );
  before(async () => {
    instance = await DuckDBInstance.create(":memory:", { threads: "1" });
    conn = await instance.connect();
    for (const sql of trinoMacroSql()) await conn.run(sql);
  });
  after(() => {
    conn.closeSync();
    instance.closeSync();
  });

  it("collects store tables, not CTE names", async () => {
    const checked = checkStatement(
      await parse(`WITH c AS (SELECT * FROM "${ID}") SELECT * FROM c JOIN other o ON true`),
    );
    assert.deepEqual([...checked.tables].sort(), [ID, "other"]);
  });
  it("names columns as Trino: alias, last path part, _col<i>", async () => {
    const checked = checkStatement(
      await parse(
        `SELECT eventName, userIdentity.principalid, count(*), element_at(m, 'k') AS k FROM "${ID}"`,
      ),
    );
    assert.deepEqual(
      resultColumnNames(["eventName", "principalid", "count_star()", "k"], checked.selectList),
      ["eventName", "principalid", "_col2", "k"],
    );
    const star = checkStatement(await parse(`SELECT *, 1 + 1 FROM "${ID}"`));
    assert.deepEqual(resultColumnNames(["eventVersion", "(1 + 1)"], star.selectList), [
      "eventVersion",
      "_col1",
    ]);
  });
  it("tells queries whose rows come only at their end from those that may stream them", async () => {
    const atEnd = [
      `SELECT count(*) AS n FROM "${ID}" WHERE userAgent LIKE '%x%'`,
      `SELECT eventName, count(*) FROM "${ID}" GROUP BY eventName`,
      `SELECT eventName FROM "${ID}" ORDER BY eventTime LIMIT 5`,
      `SELECT max(eventTime) + INTERVAL 1 DAY FROM "${ID}"`,
      `SELECT eventName FROM "${ID}" GROUP BY ALL`,
      `WITH c AS (SELECT * FROM "${ID}") SELECT CASE WHEN sum(1) > 0 THEN 'y' END FROM c`,
      `SELECT eventName FROM "${ID}" UNION ALL SELECT eventName FROM "${ID}" ORDER BY 1`,
    ];
    const streamed = [
      `SELECT eventTime, eventName FROM "${ID}" WHERE userIdentity.arn = 'a'`,
      `SELECT eventName FROM "${ID}" LIMIT 10`,
      `SELECT count(*) OVER () FROM "${ID}"`,
      `SELECT eventName, (SELECT count(*) FROM "${ID}") FROM "${ID}"`,
      `WITH c AS (SELECT eventName, count(*) n FROM "${ID}" GROUP BY 1) SELECT * FROM c`,
      `SELECT eventName FROM "${ID}" UNION ALL SELECT eventName FROM "${ID}"`,
    ];
    for (const sql of atEnd) assert.equal(checkStatement(await parse(sql)).rowsAtEnd, true, sql);
    for (const sql of streamed) assert.equal(checkStatement(await parse(sql)).rowsAtEnd, false, sql);
  });
  it("tells queries that may read the whole-record columns from those that cannot", async () => {
    const whole = [
      `SELECT * FROM "${ID}"`,
      `SELECT t.* FROM "${ID}" t`,
      `SELECT eventJson FROM "${ID}"`,
      `SELECT x.eventjsonchecksum FROM "${ID}" x`,
      `SELECT to_json(t) FROM "${ID}" t`,
      `WITH c AS (SELECT eventName FROM "${ID}") SELECT c FROM c`,
      `SELECT COLUMNS('event.*') FROM "${ID}"`,
      `SELECT n FROM (SELECT * FROM "${ID}") s(n)`,
    ];
    const columns = [
      `SELECT eventName, count(*) AS n FROM "${ID}" GROUP BY eventName ORDER BY n DESC`,
      `SELECT x.userIdentity.arn, count(*) AS n FROM "${ID}" x JOIN "${ID}" y ON x.eventID = y.eventID GROUP BY 1`,
      `SELECT count(*) FROM "${ID}" WHERE userAgent LIKE '%x%'`,
    ];
    for (const sql of whole) assert.equal(checkStatement(await parse(sql)).wholeRecord, true, sql);
    for (const sql of columns) assert.equal(checkStatement(await parse(sql)).wholeRecord, false, sql);
  });
  it("refuses what the sandbox refuses", async () => {
    for (const [sql, message] of [
      ["COPY t TO 'x'", /Only SELECT/],
      ["SELECT * FROM read_csv('x')", /read_csv/],
      ["SELECT getvariable('x') FROM t", /getvariable/],
      ["SELECT * FROM t AT (VERSION => 1)", /Time travel/],
      ["SELECT 1; SELECT 2", /exactly one/],
    ] as const) {
      await assert.rejects(
        parse(sql).then((p) => checkStatement(p)),
        (e: Error) => e.name === "InvalidQueryStatementException" && message.test(e.message),
        sql,
      );
    }
  });
});
