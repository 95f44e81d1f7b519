import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import { describe, test } from "node:test";
import { type ChunkSigning, chunkSigning } from "../protocol/sigv4-chunks.js";
import {
  type ChunkedMode,
  type ChunkedUpload,
  chunkedBody,
  chunkedUpload,
} from "../protocol/sigv4-chunks-test-kit.js";
import { ADMIN } from "../test-support/fixtures.js";
import { ChunkSignatureMismatch, MalformedChunkedBody, SignedChunks } from "./body-streams.js";

/**
 * SignedChunks on bodies signed as a SigV4 streaming client signs them (the test kit, on the
 * SDK's signer): the signing context is the one the edge derives from the verified seed.
 */
const KB = 1024;

async function signed(
  mode: ChunkedMode,
  data: Buffer,
): Promise<{ upload: ChunkedUpload; signing: ChunkSigning }> {
  const upload = await chunkedUpload({
    url: "http://127.0.0.1:9",
    path: "/bucket/key",
    data,
    chunkSize: 16 * KB,
    mode,
    credentials: ADMIN,
  });
  const amzDate = upload.headers["x-amz-date"] ?? "";
  const seed = /Signature=([0-9a-f]{64})/.exec(upload.headers.authorization ?? "")?.[1] ?? "";
  const signing = await chunkSigning(
    {
      accessKeyId: ADMIN.accessKeyId,
      secretAccessKey: ADMIN.secretAccessKey,
      shortDate: amzDate.slice(0, 8),
      longDate: amzDate,
      region: "us-east-1",
      service: "s3",
    },
    seed,
    upload.headers["x-amz-content-sha256"] ?? "",
  );
  return { upload, signing };
}

/** Feeds `body` in pieces of `split` bytes; resolves with what came out and how it ended. */
async function run(chunks: SignedChunks, body: Buffer, split: number) {
  const out: Buffer[] = [];
  chunks.on("data", (b: Buffer) => out.push(b));
  chunks.on("error", () => undefined);
  const input = new PassThrough();
  input.pipe(chunks);
  for (let i = 0; i < body.length; i += split) input.write(body.subarray(i, i + split));
  input.end();
  const failure = await chunks.checked;
  await new Promise((r) => setImmediate(r));
  return { out: Buffer.concat(out), failure };
}

describe("SignedChunks", () => {
  for (const mode of ["signed", "signed-trailer"] as const) {
    test(`${mode}: decoded or kept as sent, across arbitrary splits, every signature verified`, async () => {
      const data = randomBytes(50 * KB + 7);
      const { upload, signing } = await signed(mode, data);
      const body = chunkedBody(upload);
      for (const split of [1, 5, 4096, body.length]) {
        const decoded = new SignedChunks(signing, false);
        const a = await run(decoded, body, split);
        assert.equal(a.failure, undefined);
        assert.ok(a.out.equals(data), `decoded, split ${split}`);
        assert.equal(decoded.bytes, body.length);
        const kept = await run(new SignedChunks(signing, true), body, split);
        assert.equal(kept.failure, undefined);
        assert.ok(kept.out.equals(body), `kept, split ${split}`);
      }
    });
  }

  test("no byte of a chunk whose signature fails leaves, nor the last good chunk before it", async () => {
    const data = randomBytes(64 * KB);
    const { upload, signing } = await signed("signed-trailer", data);
    const chunks = [...upload.chunks];
    const third = Buffer.from(chunks[2] as Buffer);
    third.writeUInt8((third[third.length - 3] ?? 0) ^ 1, third.length - 3);
    chunks[2] = third;
    const { out, failure } = await run(
      new SignedChunks(signing, false),
      chunkedBody({ chunks, trailer: upload.trailer }),
      1000,
    );
    assert.ok(failure instanceof ChunkSignatureMismatch);
    // Chunk 1 was released when chunk 2 verified; chunk 2 is held, chunk 3 failed.
    assert.ok(out.equals(data.subarray(0, 16 * KB)), `${out.length} bytes left`);
  });

  test("the last data chunk is held until the final chunk and the trailer verify", async () => {
    const data = randomBytes(32 * KB);
    const { upload, signing } = await signed("signed-trailer", data);
    const trailer = Buffer.from(upload.trailer.toString().replace(/signature:[0-9a-f]/, "signature:x"));
    const { out, failure } = await run(
      new SignedChunks(signing, true),
      chunkedBody({ chunks: upload.chunks, trailer }),
      7,
    );
    assert.ok(failure instanceof ChunkSignatureMismatch);
    assert.ok(out.equals(upload.chunks[0] as Buffer), "only the first chunk, as sent");
  });

  test("unsigned trailing headers after STREAMING-AWS4-HMAC-SHA256-PAYLOAD are refused", async () => {
    const { upload, signing } = await signed("signed", randomBytes(KB));
    const trailer = Buffer.from("x-amz-checksum-crc32:AAAAAA==\r\n\r\n");
    const { failure } = await run(
      new SignedChunks(signing, false),
      chunkedBody({ chunks: upload.chunks, trailer }),
      100,
    );
    assert.ok(failure instanceof ChunkSignatureMismatch);
  });

  test("a body cut short, or a chunk larger than the bound, is malformed", async () => {
    const { upload, signing } = await signed("signed", randomBytes(20 * KB));
    const body = chunkedBody(upload);
    const cut = await run(new SignedChunks(signing, false), body.subarray(0, body.length - 10), 100);
    assert.ok(cut.failure instanceof MalformedChunkedBody);
    const huge = await run(
      new SignedChunks(signing, false),
      Buffer.from(`40000000;chunk-signature=${"0".repeat(64)}\r\n`),
      100,
    );
    assert.ok(huge.failure instanceof MalformedChunkedBody);
    assert.match(huge.failure.message, /Chunk larger than/);
  });
});
