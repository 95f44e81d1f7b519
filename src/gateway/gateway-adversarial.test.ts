import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { ADMIN, tempDir, writeIdentitiesFile } from "../test-support/fixtures.js";
import { logEvents } from "../test-support/log-events.js";
import { type ChildServer, spawnServer, startTestServer, type TestServer } from "../test-support/server.js";
import { signedRequest } from "./test-requests.js";

const TARGET = "DynamoDB_20120810";

/** A bare upstream that counts what reaches it: requests, completed bodies, body bytes. */
interface Counting {
  url: string;
  requests: number;
  completed: number;
  bytes: number;
  delayMs: number;
  server: Server;
}

async function countingUpstream(): Promise<Counting> {
  const c: Counting = { url: "", requests: 0, completed: 0, bytes: 0, delayMs: 0, server: createServer() };
  c.server.on("request", (req, res) => {
    c.requests++;
    req.on("data", (d: Buffer) => {
      c.bytes += d.length;
    });
    req.on("end", () => {
      c.completed++;
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(200, {
          "content-type": "application/x-amz-json-1.0",
          "x-amzn-requestid": "upstream-req",
        });
        res.end("{}");
      }, c.delayMs);
    });
  });
  await new Promise<void>((r) => c.server.listen(0, "127.0.0.1", () => r()));
  c.url = `http://127.0.0.1:${(c.server.address() as AddressInfo).port}`;
  return c;
}

async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return `http://127.0.0.1:${port}`;
}

const ddbCall = (
  url: string,
  op: string,
  { headers, ...extra }: Partial<Parameters<typeof signedRequest>[1]> = {},
) =>
  signedRequest(url, {
    service: "dynamodb",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `${TARGET}.${op}`, ...headers },
    body: JSON.stringify({ TableName: "adversarial", Key: { pk: { S: "k" } } }),
    ...extra,
  });

const errorOf = (body: Buffer) => JSON.parse(body.toString()) as { __type: string; message: string };

describe("audit gateway under attack and failure", () => {
  let upstream: Counting;
  let slow: Counting;
  let server: TestServer;
  let proxied: TestServer;
  const events = () => logEvents(server.app.log);

  before(async () => {
    upstream = await countingUpstream();
    slow = await countingUpstream();
    slow.delayMs = 3000;
    const down = await closedPort();
    const upstreams = `dynamodb=${upstream.url};kinesis=${down};sqs=${slow.url},timeout=0.5`;
    server = await startTestServer({ OPENTRAIL_UPSTREAMS: upstreams });
    proxied = await startTestServer({
      OPENTRAIL_UPSTREAMS: upstreams,
      OPENTRAIL_TRUSTED_PROXIES: "127.0.0.1/32",
    });
  });
  after(async () => {
    await server?.stop();
    await proxied?.stop();
    upstream?.server.close();
    slow?.server.closeAllConnections();
    slow?.server.close();
  });

  test("a bad signature is refused, never forwarded, and recorded under the key's identity", async () => {
    const before = upstream.requests;
    const res = await ddbCall(server.url, "GetItem", {
      creds: { ...ADMIN, secretAccessKey: "wrong-secret" },
    });
    assert.equal(res.status, 403);
    assert.equal(errorOf(res.body).__type, "InvalidSignatureException");
    assert.equal(upstream.requests, before);
    const e = events().at(-1);
    assert.equal(e?.eventName, "GetItem");
    assert.equal(e?.eventSource, "dynamodb.amazonaws.com");
    assert.equal(e?.errorCode, "InvalidSignatureException");
    assert.equal(e?.userIdentity?.accessKeyId, ADMIN.accessKeyId);
  });

  test("an unknown access key is refused and not recorded (no identity to attribute)", async () => {
    const count = events().length;
    const res = await ddbCall(server.url, "GetItem", {
      creds: { accessKeyId: "AKIANOSUCHKEY0000000", secretAccessKey: "x" },
    });
    assert.equal(res.status, 403);
    assert.equal(errorOf(res.body).__type, "UnrecognizedClientException");
    assert.equal(events().length, count);
  });

  test("a request replayed outside the clock-skew window is refused and not forwarded", async () => {
    const before = upstream.requests;
    const res = await ddbCall(server.url, "PutItem", { signingDate: new Date(Date.now() - 20 * 60_000) });
    assert.equal(res.status, 403);
    assert.match(errorOf(res.body).message, /Signature expired/);
    assert.equal(upstream.requests, before);
    assert.equal(events().at(-1)?.errorCode, "InvalidSignatureException");
  });

  test("an operation the model does not have is refused, recorded, and not forwarded", async () => {
    const before = upstream.requests;
    const res = await ddbCall(server.url, "DropEverything");
    assert.equal(res.status, 400);
    assert.equal(errorOf(res.body).__type, "UnknownOperationException");
    assert.equal(upstream.requests, before);
    const e = events().at(-1);
    assert.deepEqual([e?.eventName, e?.errorCode], ["DropEverything", "UnknownOperationException"]);
  });

  test("a service with no upstream configured gets UnknownServiceException", async () => {
    const res = await signedRequest(server.url, {
      service: "logs",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "Logs_20140328.DescribeLogGroups",
      },
      body: "{}",
    });
    assert.equal(res.status, 400);
    assert.equal(errorOf(res.body).__type, "UnknownServiceException");
    assert.match(errorOf(res.body).message, /--upstream logs=URL/);
  });

  test("a spoofed X-Forwarded-For is not believed; a trusted proxy's is", async () => {
    const spoof = { "x-forwarded-for": "203.0.113.66" };
    assert.equal((await ddbCall(server.url, "GetItem", { headers: spoof })).status, 200);
    assert.equal(events().at(-1)?.sourceIPAddress, "127.0.0.1");
    const res = await ddbCall(proxied.url, "GetItem", {
      headers: { "x-forwarded-for": "198.51.100.7, 203.0.113.5" },
    });
    assert.equal(res.status, 200);
    // Only the hop the trusted proxy itself appended is believed.
    assert.equal(logEvents(proxied.app.log).at(-1)?.sourceIPAddress, "203.0.113.5");
  });

  test("an upstream that is down: 502 to the caller, the failure recorded", async () => {
    const res = await signedRequest(server.url, {
      service: "kinesis",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "Kinesis_20131202.ListStreams",
      },
      body: "{}",
    });
    assert.equal(res.status, 502);
    assert.equal(errorOf(res.body).__type, "BadGateway");
    const e = events().at(-1);
    assert.equal(e?.eventName, "ListStreams");
    assert.equal(e?.errorCode, "BadGateway");
  });

  test("an upstream slower than its timeout: 504 to the caller, the failure recorded", async () => {
    const started = Date.now();
    const res = await signedRequest(server.url, {
      service: "sqs",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ListQueues" },
      body: "{}",
    });
    assert.equal(res.status, 504);
    assert.ok(Date.now() - started < 2500);
    assert.equal(errorOf(res.body).__type, "GatewayTimeout");
    assert.equal(events().at(-1)?.errorCode, "GatewayTimeout");
  });
});

/** Peak resident memory of a process, from /proc (Linux). */
function peakRssBytes(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? 0) * 1024;
}

function zeros(total: number, chunk = 1 << 20): Readable {
  let sent = 0;
  const block = Buffer.alloc(chunk, 7);
  return new Readable({
    read() {
      if (sent >= total) return this.push(null);
      const n = Math.min(chunk, total - sent);
      sent += n;
      this.push(n === chunk ? block : block.subarray(0, n));
    },
  });
}

describe("audit gateway streaming uploads", () => {
  let sink: Counting;
  let child: ChildServer;
  const dir = tempDir("opentrail-gw-stream-");

  before(async () => {
    sink = await countingUpstream();
    child = await spawnServer([
      "--port",
      "0",
      "--data",
      join(dir.path, "data"),
      "--identities",
      writeIdentitiesFile(dir.path),
      "--upstream",
      `s3=${sink.url}`,
    ]);
  });
  after(async () => {
    await child?.stop();
    sink?.server.close();
    dir.remove();
  });

  test("a 256 MiB upload streams through with flat memory", async (t) => {
    const size = 256 * 1024 * 1024;
    const warm = await signedRequest(child.url, {
      service: "s3",
      method: "PUT",
      path: "/bucket/warm",
      body: zeros(8 << 20),
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "content-length": String(8 << 20) },
    });
    assert.equal(warm.status, 200);
    const pid = child.child.pid ?? 0;
    const peakBefore = peakRssBytes(pid);
    const bytesBefore = sink.bytes;
    const res = await signedRequest(child.url, {
      service: "s3",
      method: "PUT",
      path: "/bucket/huge",
      body: zeros(size),
      headers: { "x-amz-content-sha256": "UNSIGNED-PAYLOAD", "content-length": String(size) },
    });
    assert.equal(res.status, 200, res.body.toString());
    assert.equal(sink.bytes - bytesBefore, size);
    const growth = peakRssBytes(pid) - peakBefore;
    t.diagnostic(
      `peak RSS ${(peakBefore / 2 ** 20).toFixed(0)} MiB before, grew ${(growth / 2 ** 20).toFixed(1)} MiB`,
    );
    assert.ok(growth < 48 * 1024 * 1024, `peak RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
  });

  test("a streamed body that does not match its signed hash never reaches the upstream whole", async () => {
    const size = 4 * 1024 * 1024;
    const completedBefore = sink.completed;
    const res = await signedRequest(child.url, {
      service: "s3",
      method: "PUT",
      path: "/bucket/forged",
      body: zeros(size),
      headers: { "x-amz-content-sha256": "a".repeat(64), "content-length": String(size) },
    });
    assert.equal(res.status, 400);
    assert.match(res.body.toString(), /<Code>XAmzContentSHA256Mismatch<\/Code>/);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(sink.completed, completedBefore, "the upstream saw a complete body");
  });
});
