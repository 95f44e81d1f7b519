import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DayBatches } from "./day-batches.js";

const lines = (b: Buffer) => b.toString("utf8").split("\n").filter(Boolean);

describe("DayBatches", () => {
  it("splits records by UTC day and keeps log order when it is eventTime order", () => {
    const batches = new DayBatches();
    assert.equal(batches.add(Buffer.from("a"), "2024-03-01T23:59:59Z"), true);
    batches.add(Buffer.from("b"), "2024-03-02T00:00:00Z");
    batches.add(Buffer.from("c"), "2024-03-01T23:59:59Z");
    batches.add(Buffer.from("d"), "2024-03-02T00:00:01Z");
    assert.deepEqual([...batches.days.keys()], ["2024-03-01", "2024-03-02"]);
    assert.deepEqual(lines(batches.days.get("2024-03-01")?.jsonLines() ?? Buffer.alloc(0)), ["a", "c"]);
    assert.deepEqual(lines(batches.days.get("2024-03-02")?.jsonLines() ?? Buffer.alloc(0)), ["b", "d"]);
  });

  it("sorts a day that arrived out of order, stably", () => {
    const batches = new DayBatches();
    batches.add(Buffer.from("late"), "2024-03-01T10:00:05Z");
    batches.add(Buffer.from("early"), "2024-03-01T10:00:01Z");
    batches.add(Buffer.from("late-too"), "2024-03-01T10:00:05Z");
    batches.add(Buffer.from("middle"), "2024-03-01T10:00:03Z");
    assert.deepEqual(lines(batches.days.get("2024-03-01")?.jsonLines() ?? Buffer.alloc(0)), [
      "early",
      "middle",
      "late",
      "late-too",
    ]);
  });

  it("puts other time formats in their UTC day and refuses what is not a time", () => {
    const batches = new DayBatches();
    assert.equal(batches.add(Buffer.from("offset"), "2024-03-01T23:30:00-02:00"), true);
    assert.equal(batches.add(Buffer.from("millis"), "2024-03-01T10:00:00.123Z"), true);
    assert.equal(batches.add(Buffer.from("bad"), "yesterday"), false);
    assert.equal(batches.add(Buffer.from("missing"), undefined), false);
    assert.deepEqual(lines(batches.days.get("2024-03-02")?.jsonLines() ?? Buffer.alloc(0)), ["offset"]);
    assert.deepEqual(lines(batches.days.get("2024-03-01")?.jsonLines() ?? Buffer.alloc(0)), ["millis"]);
  });
});
