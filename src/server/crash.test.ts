import assert from "node:assert/strict";
import { join } from "node:path";
import { after, test } from "node:test";
import { LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { EventLog } from "../log/index.js";
import { tempDir, writeIdentitiesFile } from "../test-support/fixtures.js";
import { type ChildServer, cloudTrailClient, spawnServer } from "../test-support/server.js";

const ROUNDS = 4;
const CONCURRENCY = 48;
const dir = tempDir("opentrail-crash-");
let current: ChildServer | undefined;

after(async () => {
  current?.child.kill("SIGKILL");
  dir.remove();
});

/**
 * Nothing acknowledged is lost: a burst of calls against a child server that is killed with
 * SIGKILL at a random moment, several times. Every call that got a 2xx must be in the event log
 * exactly once afterwards, and the log must reopen cleanly each time.
 */
test("every acknowledged call survives kill -9, exactly once", { timeout: 180_000 }, async () => {
  const identities = writeIdentitiesFile(dir.path);
  const data = join(dir.path, "data");
  const acknowledged = new Set<string>();
  for (let round = 0; round < ROUNDS; round++) {
    current = await spawnServer(["--port", "0", "--data", data, "--identities", identities]);
    const client = cloudTrailClient(current.url);
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const out = await client.send(new LookupEventsCommand({ MaxResults: 1 }));
          if (out.$metadata.httpStatusCode === 200 && out.$metadata.requestId)
            acknowledged.add(out.$metadata.requestId);
        } catch {
          // Refused or cut off by the kill: not acknowledged, so nothing is promised.
        }
      }
    };
    const workers = Array.from({ length: CONCURRENCY }, worker);
    await new Promise((r) => setTimeout(r, 300 + Math.random() * 1200));
    current.child.kill("SIGKILL");
    await new Promise((r) => current?.child.once("exit", r));
    stop = true;
    await Promise.all(workers);
    client.destroy();
  }
  // A loaded machine acknowledges fewer calls per burst; what matters is that none is lost.
  assert.ok(acknowledged.size >= 50, `only ${acknowledged.size} calls were acknowledged`);

  const log = await EventLog.open({ dir: join(data, "log") });
  try {
    const seen = new Map<string, number>();
    for (let seq = log.startSeq; seq < log.endSeq; ) {
      const batch = log.read(seq, 4096);
      if (batch.length === 0) break;
      for (const r of batch) {
        const id = (JSON.parse(r.payload.toString("utf8")) as { requestID: string }).requestID;
        seen.set(id, (seen.get(id) ?? 0) + 1);
      }
      seq = (batch.at(-1)?.seq ?? seq) + 1;
    }
    const missing = [...acknowledged].filter((id) => !seen.has(id));
    assert.deepEqual(missing, [], `${missing.length} acknowledged calls are missing`);
    const duplicated = [...seen].filter(([, n]) => n > 1);
    assert.deepEqual(duplicated, []);
  } finally {
    await log.close();
  }

  // And the server itself starts again on that folder and answers.
  current = await spawnServer(["--port", "0", "--data", data, "--identities", identities]);
  const out = await cloudTrailClient(current.url).send(new LookupEventsCommand({ MaxResults: 1 }));
  assert.equal(out.$metadata.httpStatusCode, 200);
  assert.equal(await current.stop(), 0);
});
