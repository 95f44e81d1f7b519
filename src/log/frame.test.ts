import assert from "node:assert/strict";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import {
  encodeFrame,
  FRAME_HEADER_BYTES,
  MAX_PAYLOAD_BYTES,
  payloadMatchesCrc,
  validatePayload,
} from "./frame.js";
import { FrameReader } from "./frame-reader.js";
import { TempDirs } from "./test-support/temp-dirs.js";

const temp = new TempDirs();
after(() => temp.cleanup());

function framed(...payloads: Buffer[]): Buffer {
  const buf = Buffer.alloc(payloads.reduce((n, p) => n + FRAME_HEADER_BYTES + p.length, 0));
  let at = 0;
  for (const p of payloads) at = encodeFrame(buf, at, p);
  return buf;
}

async function readerOver(bytes: Buffer): Promise<{ reader: FrameReader; done(): void }> {
  const path = join(await temp.make(), "f");
  writeFileSync(path, bytes);
  const fd = openSync(path, "r");
  return { reader: new FrameReader(fd, 0, bytes.length), done: () => closeSync(fd) };
}

describe("frame", () => {
  test("validatePayload accepts 1 byte to 1 MiB Buffers or UTF-8 text and rejects the rest with a RangeError", () => {
    validatePayload(Buffer.alloc(1));
    validatePayload(Buffer.alloc(MAX_PAYLOAD_BYTES));
    validatePayload("text");
    validatePayload("é".repeat(MAX_PAYLOAD_BYTES / 2));
    for (const bad of [
      Buffer.alloc(0),
      Buffer.alloc(MAX_PAYLOAD_BYTES + 1),
      "",
      "é".repeat(MAX_PAYLOAD_BYTES / 2 + 1),
      42,
      new Uint8Array(3),
      undefined,
    ]) {
      assert.throws(() => validatePayload(bad), RangeError);
    }
  });

  test("a frame is length, crc32, payload, little endian", () => {
    const buf = framed(Buffer.from("hello"));
    assert.equal(buf.readUInt32LE(0), 5);
    assert.equal(buf.readUInt32LE(4), 0x3610a686); // crc32("hello")
    assert.equal(buf.subarray(8).toString(), "hello");
  });

  test("FrameReader returns every frame, including ones larger than its first chunk", async () => {
    const payloads = [Buffer.from("a"), Buffer.alloc(300_000, 7), Buffer.from("tail")];
    const { reader, done } = await readerOver(framed(...payloads));
    try {
      for (const p of payloads) {
        const frame = reader.next();
        assert.ok(frame);
        assert.deepEqual(frame.payload, p);
        assert.ok(payloadMatchesCrc(frame.payload, frame.crc));
      }
      assert.equal(reader.next(), undefined);
      assert.equal(reader.torn, undefined);
    } finally {
      done();
    }
  });

  for (const [name, cut, reason] of [
    ["mid-header", 3, "short header"],
    ["mid-payload", 10, "short payload"],
  ] as const) {
    test(`FrameReader reports a tail cut ${name} as ${reason}`, async () => {
      const whole = framed(Buffer.from("first"), Buffer.from("second record"));
      const { reader, done } = await readerOver(whole.subarray(0, 13 + cut));
      try {
        assert.equal(reader.next()?.payload.toString(), "first");
        assert.equal(reader.next(), undefined);
        assert.equal(reader.torn, reason);
        assert.equal(reader.position, 13);
      } finally {
        done();
      }
    });
  }

  test("FrameReader reports zeroed or oversized lengths as bad length", async () => {
    const { reader, done } = await readerOver(Buffer.concat([framed(Buffer.from("x")), Buffer.alloc(16)]));
    try {
      assert.ok(reader.next());
      assert.equal(reader.next(), undefined);
      assert.equal(reader.torn, "bad length");
    } finally {
      done();
    }
  });
});
