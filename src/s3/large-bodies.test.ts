import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readdirSync, statSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { crc32 } from "node:zlib";
import { BufferPool } from "./buffer-pool.js";
import { DigestWorkers } from "./digest-workers.js";
import { bodyText, context, type Fixture, makeFixture, OWNER, raw, startAdapter } from "./test-support.js";

/**
 * Object bodies past the digest-worker threshold: streamed into pooled memory and, for plain
 * PutObject / UploadPart bodies, into their temp file as they arrive; hashed on a worker while
 * the file is made durable; refused before any object points at them.
 */
const MB = 1024 * 1024;

function base64Crc32(data: Buffer): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(data));
  return b.toString("base64");
}

/** A plain HTTP request to the adapter (fetch adds Content-Length and Host). */
async function send(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
) {
  const res = await fetch(`${url}${path}`, { method, headers, body });
  return {
    status: res.status,
    headers: Object.fromEntries(res.headers) as Record<string, string | undefined>,
    body: Buffer.from(await res.arrayBuffer()),
  };
}

function errorCode(reply: { body: Buffer }): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(reply.body.toString())?.[1];
}

describe("large object bodies", () => {
  let fx: Fixture;
  let adapter: Awaited<ReturnType<typeof startAdapter>>;
  const put = (key: string, body: Buffer, headers: Record<string, string> = {}) =>
    send(
      adapter.url,
      "PUT",
      `/big/${key}`,
      Object.assign({ "x-amz-content-sha256": "UNSIGNED-PAYLOAD" }, headers),
      body,
    );
  const get = (key: string) => send(adapter.url, "GET", `/big/${key}`, {});
  /**
   * Blob files and temp files on disk (the index is not counted). Empty temp files are the
   * spares BlobFiles opens ahead of need, whose number only depends on whether anything was
   * written yet: a body's temp file holds bytes as soon as its first write is done.
   */
  const files = () => {
    const root = join(fx.dir, "s3", "objects");
    return readdirSync(root, { recursive: true, withFileTypes: true }).filter((d) => {
      if (!d.isFile()) return false;
      const path = join(d.parentPath, d.name);
      return !path.startsWith(join(root, "tmp")) || statSync(path).size > 0;
    }).length;
  };
  /** Waits until `files()` is `count` (the server finishes a cut-off request on its own time). */
  const settlesAt = async (count: number) => {
    for (let i = 0; i < 100 && files() !== count; i++) await sleep(20);
    assert.equal(files(), count);
  };

  before(async () => {
    fx = makeFixture();
    adapter = await startAdapter(fx.service, () => OWNER);
    assert.equal((await send(adapter.url, "PUT", "/big", {})).status, 200);
  });
  after(async () => {
    await adapter?.close();
    await fx?.close();
  });

  it("stores the bytes with their MD5 ETag and verified CRC32 and SHA-256 checksums", async () => {
    const body = randomBytes(MB + 17);
    const sha256 = createHash("sha256").update(body).digest();
    const res = await put("ok", body, {
      "content-md5": createHash("md5").update(body).digest("base64"),
      "x-amz-checksum-crc32": base64Crc32(body),
      "x-amz-checksum-sha256": sha256.toString("base64"),
    });
    assert.equal(res.status, 200, res.body.toString());
    assert.equal(res.headers.etag, `"${createHash("md5").update(body).digest("hex")}"`);
    assert.equal(res.headers["x-amz-checksum-crc32"], base64Crc32(body));
    assert.deepEqual((await get("ok")).body, body);
  });

  it("a signed payload hash (hex x-amz-content-sha256) is checked for a streamed body", async () => {
    const body = randomBytes(2 * MB);
    const good = await put("signed", body, {
      "x-amz-content-sha256": createHash("sha256").update(body).digest("hex"),
    });
    assert.equal(good.status, 200, good.body.toString());
    const before = files();
    const bad = await put("signed-bad", body, {
      "x-amz-content-sha256": createHash("sha256").update("something else").digest("hex"),
    });
    assert.equal(bad.status, 400);
    assert.equal(errorCode(bad), "XAmzContentSHA256Mismatch");
    assert.equal((await get("signed-bad")).status, 404);
    assert.equal(files(), before);
  });

  it("a Content-MD5 mismatch found by the worker is BadDigest and leaves no object and no file", async () => {
    const before = files();
    const res = await put("md5-bad", randomBytes(MB), {
      "content-md5": createHash("md5").update("other bytes").digest("base64"),
    });
    assert.equal(res.status, 400);
    assert.equal(errorCode(res), "BadDigest");
    assert.match(res.body.toString(), /The Content-MD5 you specified did not match what we received\./);
    assert.equal((await get("md5-bad")).status, 404);
    assert.equal(files(), before);
  });

  it("a malformed Content-MD5 is InvalidDigest", async () => {
    const res = await put("md5-malformed", randomBytes(MB), { "content-md5": "not-base64!" });
    assert.equal(errorCode(res), "InvalidDigest");
    assert.equal((await get("md5-malformed")).status, 404);
  });

  for (const [algorithm, header] of [
    ["CRC32", "x-amz-checksum-crc32"],
    ["SHA256", "x-amz-checksum-sha256"],
    ["SHA1", "x-amz-checksum-sha1"],
  ] as const) {
    it(`a wrong ${algorithm} checksum is BadDigest and leaves nothing behind`, async () => {
      const body = randomBytes(MB);
      const wrong =
        algorithm === "CRC32"
          ? base64Crc32(Buffer.from("x"))
          : createHash(algorithm.toLowerCase()).update("x").digest("base64");
      const before = files();
      const res = await put(`bad-${algorithm}`, body, { [header]: wrong });
      assert.equal(res.status, 400);
      assert.equal(errorCode(res), "BadDigest");
      assert.match(
        res.body.toString(),
        new RegExp(`The ${algorithm} you specified did not match the calculated checksum\\.`),
      );
      assert.equal((await get(`bad-${algorithm}`)).status, 404);
      assert.equal(files(), before);
    });
  }

  it("an overwrite refused by its digest keeps the previous version", async () => {
    const first = randomBytes(MB);
    assert.equal((await put("keep", first)).status, 200);
    const res = await put("keep", randomBytes(MB), { "x-amz-checksum-crc32": base64Crc32(first) });
    assert.equal(errorCode(res), "BadDigest");
    assert.deepEqual((await get("keep")).body, first);
  });

  it("a streamed aws-chunked body is decoded and its CRC32 trailer verified", async () => {
    const data = randomBytes(MB + 5);
    const parts = [data.subarray(0, 65536), data.subarray(65536, 700_000), data.subarray(700_000)];
    const encode = (crc: string) =>
      Buffer.concat([
        ...parts.flatMap((p) => [Buffer.from(`${p.length.toString(16)}\r\n`), p, Buffer.from("\r\n")]),
        Buffer.from(`0\r\nx-amz-checksum-crc32:${crc}\r\n\r\n`),
      ]);
    const headers = {
      "content-encoding": "aws-chunked",
      "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
      "x-amz-decoded-content-length": String(data.length),
      "x-amz-trailer": "x-amz-checksum-crc32",
    };
    const ok = await put("chunked", encode(base64Crc32(data)), headers);
    assert.equal(ok.status, 200, ok.body.toString());
    assert.equal(ok.headers.etag, `"${createHash("md5").update(data).digest("hex")}"`);
    assert.ok((await get("chunked")).body.equals(data));
    const bad = await put("chunked-bad", encode(base64Crc32(Buffer.from("x"))), headers);
    assert.equal(errorCode(bad), "BadDigest");
    assert.equal((await get("chunked-bad")).status, 404);
  });

  it("a body shorter than its Content-Length is IncompleteBody and leaves no file", async () => {
    const before = files();
    const res = await fx.service.handle(
      Object.assign(raw("PUT", "/big/short", { headers: { "content-length": String(MB) } }), {
        stream: Readable.from([randomBytes(MB / 2)]),
      }),
      context(OWNER),
    );
    assert.equal(res.status, 400);
    assert.match(await bodyText(res), /<Code>IncompleteBody<\/Code>/);
    assert.equal((await get("short")).status, 404);
    assert.equal(files(), before);
  });

  it("a client that goes away mid-body leaves no object and no file", async () => {
    assert.equal((await put("warm", randomBytes(MB))).status, 200);
    const before = files();
    const { port } = new URL(adapter.url);
    const socket = connect(Number(port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(
      `PUT /big/cut HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${4 * MB}\r\n` +
        "x-amz-content-sha256: UNSIGNED-PAYLOAD\r\n\r\n",
    );
    socket.write(randomBytes(MB + 12345));
    // Long enough for the first bytes to reach the temp file, which must go all the same.
    await sleep(200);
    socket.destroy();
    await settlesAt(before);
    assert.equal((await get("cut")).status, 404);
  });

  it("a streamed body refused by authorization leaves no file", async () => {
    const before = files();
    const res = await fx.service.handle(
      Object.assign(
        raw("PUT", "/big/denied", {
          headers: { "content-length": String(MB), "x-amz-content-sha256": "UNSIGNED-PAYLOAD" },
        }),
        { stream: Readable.from([randomBytes(MB)]) },
      ),
      // A user of another account, which no bucket policy lets in.
      context(
        Object.assign({}, OWNER, {
          accountId: "444455556666",
          arn: "arn:aws:iam::444455556666:user/mallory",
          principalId: "AIDAMALLORYXXXXXXXXXX",
          userName: "mallory",
          admin: false,
        }),
      ),
    );
    assert.equal(res.status, 403);
    assert.match(await bodyText(res), /<Code>AccessDenied<\/Code>/);
    assert.equal(files(), before);
  });

  it("a plain UploadPart body is written as it arrives and completes byte-exact", async () => {
    const created = await send(adapter.url, "POST", "/big/multi?uploads", {});
    const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.body.toString())?.[1] as string;
    const body = randomBytes(MB + 99);
    const part = await put(`multi?partNumber=1&uploadId=${encodeURIComponent(uploadId)}`, body, {
      "content-md5": createHash("md5").update(body).digest("base64"),
    });
    assert.equal(part.status, 200, part.body.toString());
    const etag = `"${createHash("md5").update(body).digest("hex")}"`;
    assert.equal(part.headers.etag, etag);
    const done = await send(
      adapter.url,
      "POST",
      `/big/multi?uploadId=${encodeURIComponent(uploadId)}`,
      {},
      Buffer.from(
        `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`,
      ),
    );
    assert.equal(done.status, 200, done.body.toString());
    assert.ok((await get("multi")).body.equals(body));
  });

  it("concurrent GetObjects of different objects each get their own bytes (pooled buffers)", async () => {
    const bodies = [randomBytes(MB), randomBytes(MB), randomBytes(MB - 3), randomBytes(300_000)];
    for (const [i, b] of bodies.entries()) assert.equal((await put(`pool-${i}`, b)).status, 200);
    for (let round = 0; round < 5; round++) {
      const got = await Promise.all(bodies.map((_, i) => get(`pool-${i}`)));
      for (const [i, g] of got.entries())
        assert.ok(g.body.equals(bodies[i] as Buffer), `object ${i} round ${round}`);
    }
  });

  it("a ranged GetObject returns exactly the range", async () => {
    const body = randomBytes(MB);
    assert.equal((await put("range", body)).status, 200);
    const res = await send(adapter.url, "GET", "/big/range", { range: "bytes=100000-899999" });
    assert.equal(res.status, 206);
    assert.deepEqual(res.body, body.subarray(100000, 900000));
  });
});

describe("BufferPool", () => {
  it("lends shared memory of the asked size and reuses given-back buffers", () => {
    const pool = new BufferPool();
    const a = pool.acquire(MB);
    assert.equal(a.length, MB);
    assert.ok(a.buffer instanceof SharedArrayBuffer);
    pool.release(a);
    const b = pool.acquire(MB - 5);
    assert.equal(b.buffer, a.buffer);
    assert.equal(b.length, MB - 5);
  });

  it("ignores a second release, so one buffer is never lent twice", () => {
    const pool = new BufferPool();
    const a = pool.acquire(MB);
    pool.release(a);
    pool.release(a);
    const b = pool.acquire(MB);
    const c = pool.acquire(MB);
    assert.notEqual(b.buffer, c.buffer);
  });

  it("keeps no more idle memory than its limit", () => {
    const pool = new BufferPool(2 * MB);
    const lent = [pool.acquire(MB), pool.acquire(MB), pool.acquire(MB)];
    for (const b of lent) pool.release(b);
    const again = [pool.acquire(MB), pool.acquire(MB), pool.acquire(MB)];
    const reused = again.filter((b) => lent.some((l) => l.buffer === b.buffer));
    assert.equal(reused.length, 2);
  });
});

describe("DigestWorkers", () => {
  const workers = new DigestWorkers(2);
  after(() => workers.close());

  it("computes what node:crypto and zlib compute, for many bodies at once", async () => {
    const pool = new BufferPool();
    const bodies = Array.from({ length: 6 }, (_, i) => {
      const b = pool.acquire(200_000 + i);
      randomBytes(b.length).copy(b);
      return b;
    });
    const results = await Promise.all(
      bodies.map((b) => workers.compute(b, ["md5", "sha1", "sha256", "crc32"])),
    );
    for (const [i, b] of bodies.entries()) {
      assert.deepEqual(results[i], {
        md5: createHash("md5").update(b).digest("hex"),
        sha1: createHash("sha1").update(b).digest("base64"),
        sha256: createHash("sha256").update(b).digest("base64"),
        crc32: base64Crc32(b),
      });
    }
  });

  it("refuses a body outside shared memory", () => {
    assert.throws(() => workers.compute(randomBytes(10), ["md5"]), /shared memory/);
  });
});
