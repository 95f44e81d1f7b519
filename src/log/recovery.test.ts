import assert from "node:assert/strict";
import { appendFile, readdir, readFile, stat, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { EventLog } from "./event-log.js";
import { payloadFor, recordingLogger, TempDirs } from "./test-support/temp-dirs.js";

const temp = new TempDirs();
after(() => temp.cleanup());

const RECORDS = 50;
const PAYLOAD = 100;
const FRAME = 8 + PAYLOAD;
const SEGMENT_BYTES = 20 * FRAME; // 20 records per segment: 50 records end in a 10-record segment

async function lastSegment(dir: string): Promise<string> {
  const files = (await readdir(join(dir, "segments"))).sort();
  return join(dir, "segments", files.at(-1) as string);
}

/** A closed log of RECORDS records; returns its directory and last segment's path. */
async function closedLog(): Promise<{ dir: string; path: string }> {
  const dir = await temp.make();
  const log = await EventLog.open({ dir, segmentBytes: SEGMENT_BYTES });
  await log.appendBatch(Array.from({ length: RECORDS }, (_, i) => payloadFor(i, PAYLOAD)));
  await log.close();
  return { dir, path: await lastSegment(dir) };
}

const damages: { name: string; kept: number; damage(path: string): Promise<void> }[] = [
  { name: "cut mid-header", kept: RECORDS - 1, damage: (p) => cutTo(p, -FRAME + 3) },
  { name: "cut mid-payload", kept: RECORDS - 1, damage: (p) => cutTo(p, -FRAME + 8 + 40) },
  { name: "payload byte flipped in the last record", kept: RECORDS - 1, damage: (p) => flip(p, -10) },
  { name: "length of the last record corrupted", kept: RECORDS - 1, damage: (p) => flip(p, -FRAME + 1) },
  {
    name: "random garbage appended",
    kept: RECORDS,
    damage: (p) => appendFile(p, Buffer.from("\x07garbage\x00\xff!")),
  },
  {
    name: "zeroes appended (size grew, data did not land)",
    kept: RECORDS,
    damage: (p) => appendFile(p, Buffer.alloc(4096)),
  },
  {
    name: "a plausible header with a wrong CRC appended",
    kept: RECORDS,
    damage: (p) => appendFile(p, Buffer.from([5, 0, 0, 0, 1, 2, 3, 4, 104, 101, 108, 108, 111])),
  },
];

describe("EventLog recovery on open", () => {
  for (const { name, kept, damage } of damages) {
    test(`torn tail (${name}): truncates exactly the bad bytes and keeps appending densely`, async () => {
      const { dir, path } = await closedLog();
      const goodBytes = ((kept - 1) % 20) * FRAME + FRAME;
      await damage(path);
      const logger = recordingLogger();
      const log = await EventLog.open({ dir, segmentBytes: SEGMENT_BYTES, logger });
      try {
        assert.equal(log.endSeq, kept);
        assert.equal((await stat(path)).size, goodBytes);
        assert.equal(logger.warnings.length, 1);
        assert.match(logger.warnings[0] ?? "", /torn tail/);
        const records = log.read(0, 1000);
        assert.deepEqual(
          records.map((r) => r.payload),
          Array.from({ length: kept }, (_, i) => payloadFor(i, PAYLOAD)),
        );
        assert.equal(await log.append(payloadFor("next", PAYLOAD)), kept);
        assert.equal(log.read(kept, 1)[0]?.payload.toString().split("|")[0], "next");
      } finally {
        await log.close();
      }
      const again = recordingLogger();
      const reopened = await EventLog.open({ dir, segmentBytes: SEGMENT_BYTES, logger: again });
      assert.equal(reopened.endSeq, kept + 1);
      assert.deepEqual(again.warnings, []);
      await reopened.close();
    });
  }

  test("a clean log reopens without warnings", async () => {
    const { dir } = await closedLog();
    const logger = recordingLogger();
    const log = await EventLog.open({ dir, segmentBytes: SEGMENT_BYTES, logger });
    assert.equal(log.endSeq, RECORDS);
    assert.deepEqual(logger.warnings, []);
    await log.close();
  });

  test("an active segment with no complete record reopens empty at its base seq", async () => {
    const { dir, path } = await closedLog();
    await truncate(path, 5);
    const log = await EventLog.open({ dir, segmentBytes: SEGMENT_BYTES, logger: recordingLogger() });
    try {
      assert.equal(log.endSeq, 40);
      assert.equal(log.read(0, 1000).length, 40);
      assert.equal(await log.append(payloadFor(40, PAYLOAD)), 40);
    } finally {
      await log.close();
    }
  });
});

async function cutTo(path: string, fromEnd: number): Promise<void> {
  await truncate(path, (await stat(path)).size + fromEnd);
}

async function flip(path: string, fromEnd: number): Promise<void> {
  const bytes = await readFile(path);
  const at = bytes.length + fromEnd;
  bytes[at] = (bytes[at] ?? 0) ^ 0x5a;
  await writeFile(path, bytes);
}
