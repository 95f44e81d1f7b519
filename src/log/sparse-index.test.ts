import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { INDEX_INTERVAL, SparseIndex } from "./sparse-index.js";

describe("SparseIndex", () => {
  test("floor finds the indexed record at or before a local index", () => {
    const index = new SparseIndex([0, 1000]);
    index.extend([2500]);
    assert.deepEqual(index.floor(0), { local: 0, offset: 0 });
    assert.deepEqual(index.floor(INDEX_INTERVAL - 1), { local: 0, offset: 0 });
    assert.deepEqual(index.floor(INDEX_INTERVAL), { local: INDEX_INTERVAL, offset: 1000 });
    assert.deepEqual(index.floor(10 * INDEX_INTERVAL), { local: 2 * INDEX_INTERVAL, offset: 2500 });
  });

  test("an empty index starts at the beginning of the segment", () => {
    assert.deepEqual(new SparseIndex().floor(5), { local: 0, offset: 0 });
  });
});
