/**
 * The event history bench's baselines, each in a process of its own as OpenTrail is: node:http
 * answering every request with the bytes of the file named by argv[2] (a real 50-event
 * LookupEvents response). With argv[3], each request first appends a record-sized block to that
 * file and fdatasyncs it, as OpenTrail must before answering any call: the floor the disk sets.
 */
import { open, readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** About one LookupEvents call's record as the log stores it. */
const RECORD_BYTES = 1200;

const [bodyPath, durablePath] = process.argv.slice(2);
if (!bodyPath) throw new Error("usage: history-bare-server <response body file> [durable file]");
const body = await readFile(bodyPath);
const file = durablePath === undefined ? undefined : await open(durablePath, "w");
const record = Buffer.alloc(RECORD_BYTES, 0x20);
let at = 0;
const durable = async () => {
  if (!file) return;
  const offset = at;
  at += record.length;
  await file.write(record, 0, record.length, offset);
  await file.datasync();
};
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    durable().then(
      () => {
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "content-length": body.length });
        res.end(body);
      },
      (err: Error) => res.destroy(err),
    );
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => void file?.close().finally(() => process.exit(0)));
});
