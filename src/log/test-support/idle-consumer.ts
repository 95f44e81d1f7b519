/**
 * Child process for consumer.test.ts: leaves one consumer idle (waiting for appends) and one
 * backing off after a failure, and never closes the log. The process must still exit by itself:
 * consumers hold no ref'd timers or handles.
 */
import { EventLog } from "../event-log.js";

const dir = process.argv[2];
if (!dir) throw new Error("usage: idle-consumer <dir>");

const log = await EventLog.open({ dir });
await log.append(Buffer.from("one"));
const idle = log.consume({ name: "idle", apply: () => {} });
await idle.caughtUp(1);
log.consume({
  name: "failing",
  apply: () => {
    throw new Error("always");
  },
});
process.stdout.write("started\n");
