import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ByteReader, ByteWriter } from "./byte-buffer.js";
import {
  formatIpv4,
  formatIsoSeconds,
  parseIpv4,
  parseIsoSeconds,
  parseUint,
  uuidCase,
} from "./codec-literals.js";
import { type CodecDictionary, RecordCodec, splitRecord } from "./record-codec.js";
import { generated, realData } from "./test-support.js";

/** An in-memory dictionary with the same second-sighting admission as SymbolTable. */
function memoryDictionary(): CodecDictionary & { strings: string[] } {
  const ids = new Map<string, number>();
  const strings: string[] = [""];
  const seen = new Set<string>();
  const shapeIds = new Map<string, number>();
  const shapes: string[][] = [[]];
  return {
    strings,
    stringId(s, admit) {
      const id = ids.get(s);
      if (id !== undefined || !admit) return id;
      if (!seen.has(s)) {
        seen.add(s);
        return undefined;
      }
      strings.push(s);
      ids.set(s, strings.length - 1);
      return strings.length - 1;
    },
    string: (id) => strings[id] as string,
    shapeId(key, parts, admit) {
      const id = shapeIds.get(key);
      if (id !== undefined || !admit) return id;
      if (!seen.has(key)) {
        seen.add(key);
        return undefined;
      }
      shapes.push([...parts]);
      shapeIds.set(key, shapes.length - 1);
      return shapes.length - 1;
    },
    shape: (id) => shapes[id] as string[],
  };
}

function roundTrip(texts: string[]): { bytes: number; raw: number } {
  const codec = new RecordCodec(memoryDictionary());
  const encoded = texts.map((t) => codec.encode(t));
  for (const [i, t] of texts.entries()) assert.equal(codec.decode(encoded[i] as Buffer), t);
  return {
    bytes: encoded.reduce((a, b) => a + b.length, 0),
    raw: texts.reduce((a, t) => a + Buffer.byteLength(t), 0),
  };
}

describe("typed literals", () => {
  it("accept only canonical text", () => {
    const cases: Array<[string, (s: string) => unknown, unknown]> = [
      ["2023-07-10T12:16:15Z", parseIsoSeconds, 1688991375],
      ["2024-02-29T00:00:00Z", parseIsoSeconds, 1709164800],
      ["2023-02-29T00:00:00Z", parseIsoSeconds, undefined],
      ["2023-07-10T24:00:00Z", parseIsoSeconds, undefined],
      ["2023-07-10T12:16:15.123Z", parseIsoSeconds, undefined],
      ["1969-12-31T23:59:59Z", parseIsoSeconds, undefined],
      ["192.0.2.10", parseIpv4, 3221225994],
      ["10.0.02.1", parseIpv4, undefined],
      ["256.1.1.1", parseIpv4, undefined],
      ["1.2.3", parseIpv4, undefined],
      ["0", parseUint, 0],
      ["007", parseUint, undefined],
      ["1234567890123456", parseUint, undefined],
      ["eae87c48-d421-4626-94f5-0123456789ab", uuidCase, 1],
      ["EAE87C48-D421-4626-94F5-0123456789AB", uuidCase, 2],
      ["eae87c48-D421-4626-94f5-0123456789ab", uuidCase, 0],
      ["eae87c48-d421-4626-94f5_0123456789ab", uuidCase, 0],
    ];
    for (const [text, parse, want] of cases) assert.equal(parse(text), want, text);
  });

  it("format back to the same text", () => {
    for (let t = 0; t < 253402300799; t += 86400 * 13 + 4021) {
      assert.equal(formatIsoSeconds(t), `${new Date(t * 1000).toISOString().slice(0, 19)}Z`);
    }
    assert.equal(formatIpv4(parseIpv4("203.0.113.255") as number), "203.0.113.255");
  });

  it("varints survive 53-bit values", () => {
    const w = new ByteWriter(4);
    const values = [0, 1, 127, 128, 16383, 16384, 2 ** 31, 2 ** 32 + 5, 2 ** 53 - 1];
    for (const v of values) w.varint(v);
    const r = new ByteReader(w.toBuffer());
    for (const v of values) assert.equal(r.varint(), v);
  });
});

describe("RecordCodec", () => {
  it("splits JSON into shape parts and value slots that concatenate back", () => {
    const text = '{"a":"x","n":-1.5e3,"b":[true,null,"y\\"z"],"c":{}}';
    const split = splitRecord(text);
    assert.deepEqual(split?.slots, ["x", "-1.5e3", 'y\\"z']);
    assert.deepEqual(split?.parts, ['{"a":"', '","n":', ',"b":[true,null,"', '"],"c":{}}']);
  });

  it("round-trips every real record byte for byte, compressing them", () => {
    const texts = realData().all.map((r) => JSON.stringify(r));
    const { bytes, raw } = roundTrip([...texts, ...texts]);
    assert.ok(bytes < raw / 5, `${bytes} bytes for ${raw}`);
  });

  it("round-trips generated records to under 200 bytes each (from 1.3 KB)", () => {
    const texts = generated(5000, { seed: 11 }).map((r) => JSON.stringify(r));
    const { bytes } = roundTrip(texts);
    assert.ok(bytes / texts.length < 200, `${bytes / texts.length} bytes per record`);
  });

  it("round-trips any text, JSON or not", () => {
    const odd = [
      "",
      "not json",
      '{"unterminated":"',
      '{"nul":"\u0000"}',
      '{ "spaced" : "value" , "n" : 12 }\n',
      '{"unicode":"héllo 🌍 \\u00e9","esc":"a\\\\","q":"\\""}',
      '{"uuid":"EAE87C48-D421-4626-94F5-0123456789AB","again":"EAE87C48-D421-4626-94F5-0123456789AB"}',
      '{"t":"2023-07-10T12:16:15Z","t2":"2023-07-10T12:16:14Z","bad":"2023-13-10T12:16:14Z"}',
      '{"ip":"10.0.0.1","lead":"010.0.0.1","big":123456789012345678,"neg":-0,"zero":0}',
      '[1,2,3,"",""]',
      "1234",
      '"just a string"',
    ];
    roundTrip([...odd, ...odd, ...odd]);
  });

  it("stores repeated values as dictionary references from the second sighting", () => {
    const dict = memoryDictionary();
    const codec = new RecordCodec(dict);
    const text = JSON.stringify({ userAgent: "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1014-aws" });
    const sizes = [1, 2, 3].map(() => codec.encode(text).length);
    assert.ok((sizes[2] as number) < (sizes[0] as number) / 4, `sizes ${sizes.join(", ")}`);
    assert.ok(dict.strings.includes("aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1014-aws"));
  });
});
