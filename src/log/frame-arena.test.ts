import assert from "node:assert/strict";
import { describe, test } from "node:test";
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

  test("a frame larger than a block gets a block of its own", () => {
    const arena = new FrameArena();
    const big = arena.frame([Buffer.alloc(5 * 1024 * 1024, 1)], []);
    assert.equal(big.length, 8 + 5 * 1024 * 1024);
    assert.equal(big.readUInt32LE(0), 5 * 1024 * 1024);
  });
});
