import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

// The machine's baseline for one more hop: node:http relaying each call to the upstream over
// kept-alive connections, bodies streamed both ways, nothing else (no SigV4, no record).
const upstream = new URL(process.argv[2] ?? "");
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const server = createServer((req, res) => {
  const headers = Object.assign({}, req.headers, { host: upstream.host });
  const out = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  out.on("error", () => res.destroy());
  req.pipe(out);
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
