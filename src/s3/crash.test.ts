import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { tempDir, writeIdentitiesFile } from "../test-support/fixtures.js";
import { type ChildServer, s3TestClient as s3, spawnServer } from "../test-support/server.js";

const ROUNDS = 3;
const CONCURRENCY = 12;
const dir = tempDir("opentrail-s3-crash-");
let current: ChildServer | undefined;

after(async () => {
  current?.child.kill("SIGKILL");
  dir.remove();
});

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/**
 * The index commits without a per-request fsync and group-syncs its WAL before answering, and
 * object files are unlinked only after the index change that dropped them is durable. So: a
 * burst of PutObject / DeleteObject calls against a child server killed with SIGKILL at a
 * random moment, several times; afterwards every acknowledged PUT reads back byte-exact and
 * every acknowledged DELETE stays deleted.
 */
test("acknowledged PutObject and DeleteObject calls survive kill -9", { timeout: 180_000 }, async () => {
  const identities = writeIdentitiesFile(dir.path);
  const data = join(dir.path, "data");
  const stored = new Map<string, string>();
  const deleted = new Set<string>();
  for (let round = 0; round < ROUNDS; round++) {
    current = await spawnServer(["--port", "0", "--data", data, "--identities", identities]);
    const client = s3(current.url);
    if (round === 0) await client.send(new CreateBucketCommand({ Bucket: "crash" }));
    let stop = false;
    let acked = 0;
    const worker = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const key = `r${round}/w${w}/${n}`;
        const body = randomBytes(1 + Math.floor(Math.random() * 200_000));
        try {
          await client.send(new PutObjectCommand({ Bucket: "crash", Key: key, Body: body }));
          stored.set(key, sha256(body));
          acked++;
          // Every third object is deleted again: its file must go only once the index forgot it.
          if (n % 3 === 2) {
            // Until the DELETE is acknowledged, either outcome is allowed.
            stored.delete(key);
            await client.send(new DeleteObjectCommand({ Bucket: "crash", Key: key }));
            deleted.add(key);
          }
        } catch {
          // Refused or cut off by the kill: not acknowledged, so nothing is promised.
        }
      }
    };
    const workers = Array.from({ length: CONCURRENCY }, (_, w) => worker(w));
    // Killed at a random moment once some calls got through (a loaded machine is slow to start).
    const enough = 8 + Math.floor(Math.random() * 16);
    while (acked < enough) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, Math.random() * 500));
    current.child.kill("SIGKILL");
    await new Promise((r) => current?.child.once("exit", r));
    stop = true;
    await Promise.all(workers);
    client.destroy();
  }
  assert.ok(stored.size >= 10, `only ${stored.size} stored objects to check`);

  current = await spawnServer(["--port", "0", "--data", data, "--identities", identities]);
  const client = s3(current.url);
  try {
    const wrong: string[] = [];
    for (const [key, digest] of stored) {
      const got = await client.send(new GetObjectCommand({ Bucket: "crash", Key: key }));
      const bytes = (await got.Body?.transformToByteArray()) ?? new Uint8Array();
      if (sha256(bytes) !== digest) wrong.push(key);
    }
    assert.deepEqual(wrong, [], `${wrong.length} acknowledged objects are missing or wrong`);
    for (const key of deleted) {
      await assert.rejects(client.send(new HeadObjectCommand({ Bucket: "crash", Key: key })), {
        name: "NotFound",
      });
    }
  } finally {
    client.destroy();
  }
  assert.equal(await current.stop(), 0);
});
