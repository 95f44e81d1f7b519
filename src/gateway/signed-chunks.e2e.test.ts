import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import {
  CHUNK_ALTERATIONS,
  type ChunkedMode,
  type ChunkedUpload,
  chunkedBody,
  chunkedUpload,
} from "../protocol/sigv4-chunks-test-kit.js";
import { ADMIN } from "../test-support/fixtures.js";
import { eventByRequestId, logEvents } from "../test-support/log-events.js";
import { s3TestClient as s3, startTestServer, type TestServer } from "../test-support/server.js";
import { type RunningUpstream, S3RVER_KEYS, startS3rver } from "./test-upstreams.js";

/**
 * aws-chunked uploads with SigV4 chunk signatures through the audit gateway. The edge verifies
 * the seed signature; the gateway checks every chunk and trailer signature as the body streams
 * to the upstream, and a body altered after signing is refused (S3's SignatureDoesNotMatch),
 * recorded, and never reaches the upstream whole. Bodies up to 1 MiB are read before they are
 * forwarded, larger ones stream: both are tried. The signed bodies come from the test kit (no
 * installed client sends them).
 */
const BUCKET = "gw-chunked";
const KB = 1024;
const EMPTY = Buffer.alloc(0);
const S3_MISMATCH =
  "The request signature we calculated does not match the signature you provided. Check your key and signing method.";
/** Read whole before forwarding / streamed through (over the gateway's 1 MiB threshold). */
const SIZES = { buffered: 200 * KB + 123, streamed: 1100 * KB + 5 } as const;

/** A bare upstream; for keys starting `early` it answers 200 as soon as the head arrives. */
interface Eager {
  url: string;
  server: Server;
  /** Each request's body bytes, and whether it arrived whole. */
  bodies: { bytes: Buffer[]; complete: boolean }[];
}

async function eagerUpstream(): Promise<Eager> {
  const e: Eager = { url: "", server: createServer(), bodies: [] };
  e.server.on("request", (req, res) => {
    const body = { bytes: [] as Buffer[], complete: false };
    e.bodies.push(body);
    req.on("data", (d: Buffer) => body.bytes.push(d));
    req.on("end", () => {
      body.complete = true;
    });
    req.on("error", () => undefined);
    const ok = () => {
      res.writeHead(200, { etag: '"eager"', "x-amz-request-id": "eager-upstream" });
      res.end();
    };
    if (req.url?.includes("/early")) ok();
    else req.on("end", ok);
  });
  await new Promise<void>((r) => e.server.listen(0, "127.0.0.1", () => r()));
  e.url = `http://127.0.0.1:${(e.server.address() as AddressInfo).port}`;
  return e;
}

describe("signed aws-chunked uploads through the audit gateway", () => {
  let s3rver: RunningUpstream;
  let eager: Eager;
  let server: TestServer;
  let passThrough: TestServer;

  before(async () => {
    s3rver = await startS3rver();
    eager = await eagerUpstream();
    server = await startTestServer({ OPENTRAIL_UPSTREAMS: `s3=${s3rver.url},${S3RVER_KEYS}` });
    // No upstream credentials: the client's signature (and its signed chunks) pass through.
    passThrough = await startTestServer({ OPENTRAIL_UPSTREAMS: `s3=${eager.url}` });
    await s3(server.url).send(new CreateBucketCommand({ Bucket: BUCKET }));
  });
  after(async () => {
    await server?.stop();
    await passThrough?.stop();
    await s3rver?.stop();
    eager?.server.closeAllConnections();
    eager?.server.close();
  });

  function upload(url: string, key: string, mode: ChunkedMode, data: Buffer) {
    return chunkedUpload({
      url,
      path: `/${BUCKET}/${key}`,
      data,
      chunkSize: 64 * KB,
      mode,
      credentials: ADMIN,
    });
  }

  async function send(url: string, u: ChunkedUpload, key: string, body = chunkedBody(u)) {
    const res = await fetch(`${url}/${BUCKET}/${key}`, { method: "PUT", headers: u.headers, body });
    return {
      status: res.status,
      requestId: res.headers.get("x-amz-request-id") ?? undefined,
      text: await res.text(),
    };
  }

  /** The object as s3rver holds it, read through the gateway. */
  async function read(key: string): Promise<{ body?: Buffer; error?: string }> {
    try {
      const got = await s3(server.url).send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return { body: Buffer.from((await got.Body?.transformToByteArray()) ?? []) };
    } catch (e) {
      return { error: (e as Error).name };
    }
  }

  for (const [size, length] of Object.entries(SIZES)) {
    for (const mode of ["signed", "signed-trailer"] as const) {
      test(`${size}, ${mode}: a multi-chunk upload reaches s3rver byte-exact`, async () => {
        const data = randomBytes(length);
        const key = `ok-${size}-${mode}`;
        const u = await upload(server.url, key, mode, data);
        assert.ok(u.chunks.length > 4);
        const res = await send(server.url, u, key);
        assert.equal(res.status, 200, res.text);
        assert.ok((await read(key)).body?.equals(data), "s3rver holds the decoded chunks");
        const ev = logEvents(server.app.log).findLast(
          (e) => e.eventName === "PutObject" && e.requestParameters?.key === key,
        );
        assert.equal(ev?.eventName, "PutObject");
        assert.equal(ev?.errorCode, undefined);
      });
    }

    for (const [name, mode, alter] of CHUNK_ALTERATIONS) {
      test(`${size}, ${mode}: ${name} is SignatureDoesNotMatch, nothing is stored, the refusal is recorded`, async () => {
        const key = `tampered-${size}-${name.replace(/\W+/g, "-")}`;
        const data = randomBytes(length);
        const u = await upload(server.url, key, mode, data);
        const res = await send(server.url, u, key, alter(u));
        assert.equal(res.status, 403, res.text);
        assert.match(res.text, /<Code>SignatureDoesNotMatch<\/Code>/);
        assert.ok(res.text.includes(`<Message>${S3_MISMATCH}</Message>`), res.text);
        const now = await read(key);
        if (size === "buffered" || !now.body) assert.equal(now.error, "NoSuchKey", "s3rver stored no object");
        else {
          // Streamed, the chunks that verified before the failure have gone upstream, and the
          // request was then aborted short of its length. s3rver writes a PUT's body straight
          // into the object's file and leaves what arrived of an aborted one (as for any client
          // that disconnects mid-upload): at most a strict prefix of the signed bytes, never an
          // altered byte nor the whole body. An atomic store (S3, MinIO, Ceph) keeps nothing.
          assert.ok(now.body.length < data.length, "never the whole body");
          assert.ok(now.body.equals(data.subarray(0, now.body.length)), "only verified chunks");
        }
        if (size === "buffered") {
          // Read whole and refused before anything was sent: s3rver never heard of it, so an
          // earlier object is untouched. (Streamed, s3rver truncates an existing key's file as
          // soon as a PUT's head arrives.)
          const earlier = randomBytes(100);
          await s3(server.url).send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: earlier }));
          const again = await upload(server.url, key, mode, randomBytes(length));
          assert.equal((await send(server.url, again, key, alter(again))).status, 403);
          assert.ok((await read(key)).body?.equals(earlier), "the object is the earlier one");
        }

        const ev = eventByRequestId(server.app.log, res.requestId);
        assert.equal(ev.eventName, "PutObject");
        assert.equal(ev.eventCategory, "Data");
        assert.equal(ev.errorCode, "SignatureDoesNotMatch");
        assert.equal(ev.errorMessage, S3_MISMATCH);
        assert.equal(ev.requestParameters?.key, key);
        assert.equal(ev.userIdentity?.accessKeyId, ADMIN.accessKeyId);
      });
    }
  }

  test("a wrong seed signature is S3's SignatureDoesNotMatch, in S3's words, recorded, not forwarded", async () => {
    const u = await chunkedUpload({
      url: server.url,
      path: `/${BUCKET}/bad-seed`,
      data: randomBytes(KB),
      chunkSize: 64 * KB,
      mode: "signed",
      credentials: { ...ADMIN, secretAccessKey: "not-the-secret" },
    });
    const res = await send(server.url, u, "bad-seed");
    assert.equal(res.status, 403, res.text);
    assert.match(res.text, /<Code>SignatureDoesNotMatch<\/Code>/);
    assert.ok(res.text.includes(`<Message>${S3_MISMATCH}</Message>`), res.text);
    assert.equal((await read("bad-seed")).error, "NoSuchKey");
    const ev = eventByRequestId(server.app.log, res.requestId);
    assert.equal(ev.eventName, "PutObject");
    assert.equal(ev.errorCode, "SignatureDoesNotMatch");
    assert.equal(ev.errorMessage, S3_MISMATCH);
  });

  test("a body cut before its final chunk is IncompleteBody and stores nothing", async () => {
    const u = await upload(server.url, "cut", "signed", randomBytes(SIZES.buffered));
    const res = await send(
      server.url,
      u,
      "cut",
      chunkedBody({ chunks: u.chunks.slice(0, -1), trailer: EMPTY }),
    );
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, /<Code>IncompleteBody<\/Code>/);
    const got = await read("cut");
    assert.equal(got.error, "NoSuchKey", `${got.body?.length}`);
    assert.equal(eventByRequestId(server.app.log, res.requestId).errorCode, "IncompleteBody");
  });

  test("pass-through: the signed body is forwarded as sent, once every signature verified", async () => {
    const u = await upload(passThrough.url, "as-sent", "signed-trailer", randomBytes(SIZES.streamed));
    const before = eager.bodies.length;
    const res = await send(passThrough.url, u, "as-sent");
    assert.equal(res.status, 200, res.text);
    const got = eager.bodies[before];
    assert.ok(got?.complete, `${got?.bytes.reduce((n, b) => n + b.length, 0)} of ${chunkedBody(u).length}`);
    assert.ok(Buffer.concat(got.bytes).equals(chunkedBody(u)), "the upstream got the body as sent");
  });

  for (const [size, length] of Object.entries(SIZES)) {
    test(`${size}: an upstream that answers 200 early never makes a tampered body a success`, async () => {
      const u = await upload(passThrough.url, "early", "signed-trailer", randomBytes(length));
      // The last data chunk altered: streamed, everything before it has gone upstream by then.
      const chunks = u.chunks.map((c) => Buffer.from(c));
      const last = chunks.at(-2) as Buffer;
      last.writeUInt8((last[last.length - 10] ?? 0) ^ 0xff, last.length - 10);
      const before = eager.bodies.length;
      const res = await send(passThrough.url, u, "early", chunkedBody({ chunks, trailer: u.trailer }));
      // Streamed, the upstream that answered may stop reading before the altered chunk reaches
      // the check; the gateway then cannot name the tampering and answers the upstream failure
      // (502). Never a success either way.
      const code = res.status === 502 && size !== "buffered" ? "BadGateway" : "SignatureDoesNotMatch";
      if (code === "SignatureDoesNotMatch") {
        assert.equal(res.status, 403, res.text);
        assert.ok(res.text.includes(`<Message>${S3_MISMATCH}</Message>`), res.text);
      } else assert.match(res.text, /<Code>BadGateway<\/Code>/);
      await new Promise((r) => setTimeout(r, 50));
      const got = eager.bodies[before];
      if (size === "buffered") assert.equal(got, undefined, "refused before anything was sent");
      else {
        assert.ok(got, "the upstream was called and answered 200 before the bad chunk arrived");
        assert.equal(got.complete, false, "the upstream request was aborted short of its length");
        assert.ok(Buffer.concat(got.bytes).length < chunkedBody(u).length - 64 * KB);
      }
      const ev = eventByRequestId(passThrough.app.log, res.requestId);
      assert.equal(ev.eventName, "PutObject");
      assert.equal(ev.errorCode, code);
    });
  }
});
