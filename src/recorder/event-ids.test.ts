import assert from "node:assert/strict";
import { test } from "node:test";
import { EventIdSource } from "./event-ids.js";

test("event IDs are distinct random version 4 UUIDs in randomUUID's form, across refills", () => {
  const ids = new EventIdSource();
  const seen = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const id = ids.take();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 5000);
  // Each hex digit outside the fixed version/variant bits takes all 16 values.
  const digits = new Set([...seen].map((id) => id[0]));
  assert.equal(digits.size, 16);
});
