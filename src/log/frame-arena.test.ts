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

describe("FrameArena block reuse", () => {
  const BLOCK = 4 * 1024 * 1024;
  // Fills the rest of the arena's block, so that the next frame needs another one.
  const fill = (arena: FrameArena, first: Buffer) =>
    arena.frame([Buffer.alloc(BLOCK - 8 - first.length - 8, 7)], []);

  test("a full block whose views were all released is framed into again", () => {
    const arena = new FrameArena();
    const a = arena.frame([Buffer.from("a")], []);
    const rest = fill(arena, a);
    const b = arena.frame([Buffer.from("b")], []);
    assert.notEqual(b.buffer, a.buffer);
    arena.release(a);
    arena.release(rest);
    const fillB = fill(arena, b);
    const c = arena.frame([Buffer.from("c")], []);
    assert.equal(c.buffer, a.buffer, "the emptied first block comes back");
    assert.equal(c.byteOffset, a.byteOffset, "from its start");
    assert.equal(c.subarray(8).toString(), "c");
    assert.equal(b.subarray(8).toString(), "b", "the second block's unreleased view is untouched");
    assert.notEqual(fillB.buffer, c.buffer);
  });

  test("a block with a view still out is never framed into again", () => {
    const arena = new FrameArena();
    const a = arena.frame([Buffer.from("keep")], []);
    const rest = fill(arena, a);
    arena.release(rest);
    const used = new Set<ArrayBufferLike>();
    for (let i = 0; i < 4; i++) {
      const x = arena.frame([Buffer.from("x")], []);
      used.add(x.buffer);
      arena.release(fill(arena, x));
      arena.release(x);
    }
    assert.ok(!used.has(a.buffer), "the held block was not reused");
    assert.equal(used.size, 1, "one other block, emptied each time, served every later frame");
    assert.equal(a.subarray(8).toString(), "keep");
  });

  test("a view released while its block is still the one framed into does not reset that block", () => {
    const arena = new FrameArena();
    const a = arena.frame([Buffer.from("one")], []);
    arena.release(a);
    const b = arena.frame([Buffer.from("two")], []);
    assert.equal(b.byteOffset, a.byteOffset + a.length, "framing goes on after the released view");
  });
});

describe("FrameArena.extend", () => {
  test("frames right after the last frame, only while nothing was framed since and the block has room", () => {
    const arena = new FrameArena();
    const lengths: number[] = [];
    const view = arena.frame([Buffer.from("one")], lengths);
    let bytes = arena.extend(view, view.length, "two", lengths);
    assert.equal(bytes, 2 * (8 + 3));
    bytes = arena.extend(view, bytes, Buffer.from("three"), lengths);
    assert.deepEqual(lengths, [3, 3, 5]);
    const whole = Buffer.from(view.buffer, view.byteOffset, bytes);
    assert.equal(whole.readUInt32LE(11), 3);
    assert.equal(whole.readUInt32LE(15), crc32(Buffer.from("two")));
    assert.equal(whole.subarray(30).toString(), "three");

    const other = arena.frame([Buffer.from("x")], []);
    assert.equal(arena.extend(view, bytes, "late", lengths), -1, "something else was framed since");
    assert.equal(lengths.length, 3);
    assert.equal(arena.extend(other, other.length, Buffer.alloc(4 * 1024 * 1024), []), -1, "no room");
  });
});
