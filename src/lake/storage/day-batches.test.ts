import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DayBatches, utcDay } from "./day-batches.js";

const selection = (b: DayBatches, day: string) => b.days.get(day)?.selection();
const ms = (t: string) => Date.parse(t);

describe("DayBatches", () => {
  it("a day's contiguous rows in time order are a rowid range", () => {
    const batches = new DayBatches();
    batches.add("2024-03-01", 0, ms("2024-03-01T23:59:58Z"));
    batches.add("2024-03-01", 1, ms("2024-03-01T23:59:59Z"));
    batches.add("2024-03-02", 0, ms("2024-03-02T00:00:00Z"));
    assert.deepEqual([...batches.days.keys()], ["2024-03-01", "2024-03-02"]);
    assert.deepEqual(selection(batches, "2024-03-01"), {
      where: "rowid BETWEEN 0 AND 1",
      sorted: true,
      rows: 2,
    });
    assert.deepEqual(selection(batches, "2024-03-02"), {
      where: "rowid BETWEEN 0 AND 0",
      sorted: true,
      rows: 1,
    });
  });

  it("selects scattered rows with a bit mask over their range", () => {
    const batches = new DayBatches();
    for (const row of [3, 4, 7]) batches.add("2024-03-01", row, ms("2024-03-01T10:00:00Z"));
    assert.deepEqual(selection(batches, "2024-03-01"), {
      where: "rowid BETWEEN 3 AND 7 AND get_bit('11001'::BITSTRING, (rowid - 3)::INTEGER) = 1",
      sorted: true,
      rows: 3,
    });
  });

  it("marks a day that arrived out of order, so the writer sorts it", () => {
    const batches = new DayBatches();
    batches.add("2024-03-01", 0, ms("2024-03-01T10:00:05Z"));
    batches.add("2024-03-01", 1, ms("2024-03-01T10:00:05Z"));
    assert.equal(selection(batches, "2024-03-01")?.sorted, true);
    batches.add("2024-03-01", 2, ms("2024-03-01T10:00:01Z"));
    assert.equal(selection(batches, "2024-03-01")?.sorted, false);
  });
});

describe("utcDay", () => {
  it("puts other time formats in their UTC day and refuses what is not a time", () => {
    assert.deepEqual(utcDay("2024-03-01T10:00:00Z"), { day: "2024-03-01", ms: ms("2024-03-01T10:00:00Z") });
    assert.equal(utcDay("2024-03-01T23:30:00-02:00")?.day, "2024-03-02");
    assert.equal(utcDay("2024-03-01T10:00:00.123Z")?.ms, ms("2024-03-01T10:00:00.123Z"));
    assert.equal(utcDay("yesterday"), undefined);
    assert.equal(utcDay(undefined), undefined);
    assert.equal(utcDay(1709287200000), undefined);
  });
});
