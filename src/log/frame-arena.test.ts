import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { crc32 } from "node:zlib";
import { FrameArena, pushPiece } from "./frame-arena.js";

describe("FrameArena", () => {
  test("frames appended one after another are adjacent and merge into one piece", () => {
    const arena = new FrameArena();
    const lengths: number[] = [];
    const a = arena.frame([Buffer.from("one")], lengths);
    const b = arena.frame([Buffer.from("two"), Buffer.from("three")], lengths);
    assert.deepEqual(lengths, [3, 3, 5]);
    assert.equal(a.length, 8 + 3);
    assert.equal(b.length, 8 + 3 + 8 + 5);
    const pieces: Buffer[] = [];
    pushPiece(pieces, a);
    pushPiece(pieces, b);
    assert.equal(pieces.length, 1);
    assert.deepEqual(pieces[0], Buffer.concat([a, b]));
  });

  test("pieces that are not adjacent stay separate, in order", () => {
    const arena = new FrameArena();
    const a = arena.frame([Buffer.from("one")], []);
    arena.frame([Buffer.from("skipped")], []);
    const c = arena.frame([Buffer.from("three")], []);
    const pieces: Buffer[] = [];
    pushPiece(pieces, a);
    pushPiece(pieces, c);
    assert.deepEqual(pieces, [a, c]);
  });

  test("text is framed as UTF-8 with its byte length and the CRC of those bytes", () => {
    const arena = new FrameArena();
    const lengths: number[] = [];
    const framed = arena.frame(["héllo", Buffer.from("raw")], lengths);
    assert.deepEqual(lengths, [6, 3]);
    assert.equal(framed.readUInt32LE(0), 6);
    assert.equal(framed.readUInt32LE(4), crc32(Buffer.from("héllo")));
    assert.equal(framed.subarray(8, 14).toString("utf8"), "héllo");
    assert.equal(framed.subarray(22).toString(), "raw");
  });

  test("text whose worst-case size does not fit the block's rest still fits when its real size does", () => {
    const arena = new FrameArena();
    const first = arena.frame([Buffer.alloc(4 * 1024 * 1024 - 8 - 3000)], []);
    const second = arena.frame(["a".repeat(2000)], []);
    assert.equal(second.buffer, first.buffer, "2,000 ASCII bytes fit the 3,000 left");
    const third = arena.frame(["b".repeat(2000)], []);
    assert.notEqual(third.buffer, first.buffer);
    assert.equal(third.subarray(8).toString(), "b".repeat(2000));
  });

  test("a frame larger than a block gets a block of its own", () => {
    const arena = new FrameArena();
    const big = arena.frame([Buffer.alloc(5 * 1024 * 1024, 1)], []);
    assert.equal(big.length, 8 + 5 * 1024 * 1024);
    assert.equal(big.readUInt32LE(0), 5 * 1024 * 1024);
  });
});
