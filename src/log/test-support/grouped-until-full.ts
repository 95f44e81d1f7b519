/**
 * Child process for write-failure.test.ts, run under `ulimit -f` (6 MiB): grouped appends whose
 * flush spans two 4 MiB arena blocks, so it goes out with one writev, cut short at the limit.
 * Prints a JSON report of what the log acknowledged and refused.
 */
import { EventLog } from "../event-log.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: grouped-until-full <dir>");

const log = await EventLog.open({ dir });
// 3,000 x 1 KB and 600 more fit; the next 3,500 KB cross the first arena block's end and the file limit.
await Promise.all(Array.from({ length: 3000 }, (_, i) => log.appendGrouped(Buffer.alloc(1000, i % 251))));
// Two batches big enough to start at once take both flush slots, so that the 3,500 queue for one flush.
const batches = [0, 1].map(() => log.appendBatch(Array.from({ length: 300 }, () => Buffer.alloc(1000, 9))));
const results = await Promise.allSettled(
  Array.from({ length: 3500 }, () => log.appendGrouped(Buffer.alloc(1000, 7))),
);
await Promise.all(batches);
const errors = new Set(
  results.map((r) => (r.status === "rejected" ? ((r.reason as NodeJS.ErrnoException).code ?? "?") : "ok")),
);
const after = await log.append(Buffer.from("after"));
const report = { errors: [...errors], after, endSeq: log.endSeq, readBack: log.read(0, 100_000).length };
await log.close();
process.stdout.write(`${JSON.stringify(report)}\n`);
