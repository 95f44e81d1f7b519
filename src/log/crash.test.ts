import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { after, describe, test } from "node:test";
import { EventLog } from "./event-log.js";
import { crashPayload } from "./test-support/crash-payload.js";
import { killAll, outputOf, runScript } from "./test-support/run-child.js";
import { recordingLogger, TempDirs } from "./test-support/temp-dirs.js";

const temp = new TempDirs();
after(async () => {
  killAll();
  await temp.cleanup();
});

const ROUNDS = 5;

/** Resolves once the child printed `ready` and then `acks` more lines. */
function afterAcks(child: ChildProcess, acks: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let lines = -1;
    // outputOf set the encoding: chunks are strings.
    child.stdout?.on("data", (chunk: string) => {
      lines += chunk.split("\n").length - 1;
      if (lines >= acks) resolve();
    });
    child.on("exit", (code) => reject(new Error(`crash writer exited early (${code})`)));
  });
}

/**
 * Runs the writer, SIGKILLs it at a random moment, and returns the acknowledged `seq -> id`
 * and the ids of acknowledged grouped appends (which have no seq).
 */
async function killedRound(
  dir: string,
  round: number,
): Promise<{ acked: Map<number, string>; grouped: string[] }> {
  const child = runScript("crash-writer.ts", [dir, String(round)]);
  const output = outputOf(child);
  try {
    await afterAcks(child, 100 + Math.floor(Math.random() * 1000));
    await new Promise((r) => setTimeout(r, Math.random() * 100));
  } finally {
    child.kill("SIGKILL");
  }
  const { stdout, stderr } = await output;
  assert.equal(child.signalCode, "SIGKILL", stderr);
  const acked = new Map<number, string>();
  const grouped: string[] = [];
  // The last line may be cut by the kill; a cut line is an ack we simply did not see.
  for (const line of stdout.split("\n").slice(1, -1)) {
    const [seq, id] = line.split(" ");
    assert.ok(seq && id, `bad line ${JSON.stringify(line)}`);
    if (seq === "g") {
      grouped.push(id);
      continue;
    }
    assert.ok(!acked.has(Number(seq)), `seq ${seq} acknowledged twice`);
    acked.set(Number(seq), id);
  }
  return { acked, grouped };
}

describe("EventLog crash safety", () => {
  test(`every acknowledged record survives SIGKILL, exactly once (${ROUNDS} rounds)`, {
    timeout: 60_000,
  }, async () => {
    const dir = await temp.make();
    const acked = new Map<number, string>();
    const grouped: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const before = acked.size;
      const groupedBefore = grouped.length;
      const done = await killedRound(dir, round);
      for (const [seq, id] of done.acked) acked.set(seq, id);
      grouped.push(...done.grouped);
      assert.ok(acked.size > before, `round ${round} acknowledged nothing`);
      assert.ok(grouped.length > groupedBefore, `round ${round} acknowledged no grouped append`);

      const logger = recordingLogger();
      const log = await EventLog.open({ dir, segmentBytes: 256 * 1024, logger });
      try {
        const records = log.read(0, Number.MAX_SAFE_INTEGER);
        assert.equal(records.length, log.endSeq);
        const copies = new Map<string, number>();
        for (const r of records) {
          const id = r.payload.subarray(0, r.payload.indexOf("|")).toString();
          copies.set(id, (copies.get(id) ?? 0) + 1);
        }
        for (const [seq, id] of acked) {
          assert.deepEqual(records[seq]?.payload, crashPayload(id), `record ${seq} (${id})`);
          assert.equal(copies.get(id), 1, `${id} stored ${copies.get(id)} times`);
        }
        const groupedIds = new Set(grouped);
        for (const r of records) {
          const id = r.payload.subarray(0, r.payload.indexOf("|")).toString();
          if (groupedIds.has(id)) assert.deepEqual(r.payload, crashPayload(id), `grouped record ${id}`);
        }
        for (const id of grouped)
          assert.equal(copies.get(id), 1, `grouped ${id} stored ${copies.get(id)} times`);
      } finally {
        await log.close();
      }
      // Whatever recovery repaired, it repaired for good.
      const again = recordingLogger();
      await (await EventLog.open({ dir, segmentBytes: 256 * 1024, logger: again })).close();
      assert.deepEqual(again.warnings, []);
    }
  });
});
