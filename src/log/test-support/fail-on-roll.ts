/**
 * Child process for write-failure.test.ts, run under `ulimit -f 512 KiB`: one flush that
 * extends the active segment and then rolls to a new one whose write fails (a 1 MiB record).
 * Prints a JSON report.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { EventLog } from "../event-log.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: fail-on-roll <dir>");

const log = await EventLog.open({ dir, segmentBytes: 64 * 1024 });
await log.appendBatch(Array.from({ length: 10 }, () => Buffer.alloc(1000, 1)));
const flush = [
  log.appendBatch(Array.from({ length: 20 }, () => Buffer.alloc(1000, 2))),
  log.append(Buffer.alloc(1024 * 1024, 3)),
];
const outcomes = (await Promise.allSettled(flush)).map((r) =>
  r.status === "rejected" ? ((r.reason as NodeJS.ErrnoException).code ?? "?") : "ok",
);
const afterFailure = { endSeq: log.endSeq, segments: readdirSync(join(dir, "segments")) };
const next = await log.append(Buffer.alloc(1000, 4));
await log.close();
process.stdout.write(`${JSON.stringify({ outcomes, afterFailure, next })}\n`);
