import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { chunkFormatter, formatValue } from "./format-value.js";

/**
 * Result values as Lake returns them: strings, timestamps with milliseconds, NULL kept. The
 * column formatters picked per type must give exactly what formatValue gives value by value.
 */
describe("result value formatting", () => {
  let instance: DuckDBInstance;
  let conn: DuckDBConnection;

  before(async () => {
    instance = await DuckDBInstance.create(":memory:");
    conn = await instance.connect();
    await conn.run("SET TimeZone = 'UTC'");
  });
  after(() => {
    conn.closeSync();
    instance.closeSync();
  });

  const rowsOf = async (sql: string) => {
    const result = await conn.run(sql);
    const format = chunkFormatter(result.columnTypes());
    const byColumn: Array<Array<string | null>> = [];
    const byValue: Array<Array<string | null>> = [];
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      byColumn.push(...format(chunk));
      byValue.push(...chunk.getRows().map((row) => row.map(formatValue)));
    }
    return { byColumn, byValue };
  };

  it("formats each type as Lake does, the same by column as by value", async () => {
    const { byColumn, byValue } = await rowsOf(`SELECT * FROM (VALUES
      ('GetObject', 42::BIGINT, 7::INTEGER, true, TIMESTAMP '2024-03-21 10:11:12.345678', 12345678901234567890::HUGEINT,
        MAP {'k': 'v'}, {'a': 1}, ['x', 'y'], 1.5::DOUBLE),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
      ('ünï"code', -1, 0, false, TIMESTAMP '1969-12-31 23:59:59.9995', 0, MAP {}, {'a': NULL}, [], -0.25),
      ('', 0, 0, false, TIMESTAMP '2255-06-05 23:47:34.740993', 0, NULL, NULL, NULL, NULL),
      ('z', 0, 0, false, TIMESTAMP '9999-12-31 23:59:59.999999', 0, NULL, NULL, NULL, NULL),
      ('inf', 0, 0, false, 'infinity'::TIMESTAMP, 0, NULL, NULL, NULL, NULL)
    ) t(s, b, i, f, ts, h, m, st, l, d)`);
    assert.deepEqual(byColumn, byValue);
    assert.deepEqual(byColumn[0], [
      "GetObject",
      "42",
      "7",
      "true",
      "2024-03-21 10:11:12.345",
      "12345678901234567890",
      "{k=v}",
      "{a=1}",
      "[x, y]",
      "1.5",
    ]);
    assert.deepEqual(byColumn[1], Array(10).fill(null));
    assert.equal(byColumn[3]?.[4], "2255-06-05 23:47:34.740");
    assert.equal(byColumn[4]?.[4], "9999-12-31 23:59:59.999");
    assert.equal(byColumn[5]?.[4], "9223372036854775807");
  });

  it("formats timestamps across days and chunks like Date would", async () => {
    const { byColumn } = await rowsOf(`SELECT ts FROM (
      SELECT TIMESTAMP '2024-03-01 00:00:00' + INTERVAL (i * 7919321) MILLISECOND AS ts FROM range(5000) r(i))`);
    assert.equal(byColumn.length, 5000);
    for (let i = 0; i < 5000; i++) {
      const iso = new Date(Date.parse("2024-03-01T00:00:00Z") + i * 7919321).toISOString();
      assert.equal(byColumn[i]?.[0], `${iso.slice(0, 10)} ${iso.slice(11, 23)}`);
    }
  });
});
