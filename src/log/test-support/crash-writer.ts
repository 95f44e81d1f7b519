/**
 * Child process for crash.test.ts: appends to the log at `argv[2]` as fast as it can from
 * several concurrent writers (single appends, grouped appends and batches) and prints `<seq> <id>`
 * (`g <id>` for a grouped append) for every acknowledged record, until it is killed. Pipes are synchronous on Linux, so a printed line
 * has left this process before the next append starts.
 */
import { EventLog } from "../event-log.js";
import { crashPayload } from "./crash-payload.js";

const [dir, round] = process.argv.slice(2);
if (!dir || !round) throw new Error("usage: crash-writer <dir> <round>");

const log = await EventLog.open({ dir, segmentBytes: 256 * 1024 });
process.stdout.write("ready\n");

async function writer(w: number): Promise<never> {
  for (let n = 0; ; n++) {
    const size = 1 + ((n * 7 + w) % 24);
    const ids = Array.from({ length: size }, (_, i) => `r${round}-w${w}-${n}-${i}`);
    if (size === 1 && w % 2 === 0) {
      // The recorder's path: no seq comes back, so the line says `g` (grouped) instead.
      await log.appendGrouped(crashPayload(ids[0] as string));
      process.stdout.write(`g ${ids[0]}\n`);
      continue;
    }
    const seqs =
      size === 1
        ? [await log.append(crashPayload(ids[0] as string))]
        : await log.appendBatch(ids.map(crashPayload));
    process.stdout.write(`${seqs.map((s, i) => `${s} ${ids[i]}`).join("\n")}\n`);
  }
}

await Promise.all(Array.from({ length: 16 }, (_, w) => writer(w)));
