/**
 * Child process for write-failure.test.ts, run under `ulimit -f` so that writes past a file size
 * fail (first short, then EFBIG) like a full disk would. Prints a JSON report of what the log
 * acknowledged and refused.
 */
import { EventLog } from "../event-log.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: append-until-full <dir>");

const log = await EventLog.open({ dir });
const record = (i: number, size: number) => Buffer.alloc(size, i % 251);
const report = {
  batches: 0,
  batchError: "",
  single: -1,
  concurrentErrors: [] as string[],
  pipelinedErrors: [] as string[],
  endSeq: 0,
  readBack: 0,
};

// Phase 1: batches of 16 x 1000 B until one fails part-way through its write.
for (let seq = 0; ; seq += 16) {
  try {
    await log.appendBatch(Array.from({ length: 16 }, (_, i) => record(seq + i, 1000)));
    report.batches++;
  } catch (err) {
    report.batchError = (err as NodeJS.ErrnoException).code ?? String(err);
    break;
  }
}
// Phase 2: the failed frames were cut away, so a small record still fits.
report.single = await log.append(record(report.batches * 16, 100));
// Phase 3: one flush of 100 concurrent appends that cannot fit: all of them fail together.
const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => log.append(record(i, 1000))));
report.concurrentErrors = results.map((r) =>
  r.status === "rejected" ? ((r.reason as NodeJS.ErrnoException).code ?? "?") : "ok",
);
// Phase 4: two flushes in flight at once (each big enough to start at once), the first cut
// short: the second, written after it, fails with it, and neither leaves a frame.
const pipelined = await Promise.allSettled(
  [0, 1].map(() => log.appendBatch(Array.from({ length: 300 }, (_, i) => record(i, 1000)))),
);
report.pipelinedErrors = pipelined.map((r) =>
  r.status === "rejected" ? ((r.reason as NodeJS.ErrnoException).code ?? "?") : "ok",
);
report.endSeq = log.endSeq;
report.readBack = log.read(0, 100_000).length;
await log.close();
process.stdout.write(`${JSON.stringify(report)}\n`);
