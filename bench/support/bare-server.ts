import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

// The machine's baseline: node:http answering a small JSON body, nothing else.
const body = Buffer.from('{"Events":[]}');
const server = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "content-length": body.length });
    res.end(body);
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
