import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { buildXml, buildXmlError, parseXml, XML_INLINE, XmlSyntaxError } from "../protocol/rest-xml.js";
import { decodeAwsChunked, storedContentEncoding } from "./aws-chunked.js";
import { computeChecksum, crc32c } from "./checksums.js";
import { S3Error } from "./errors.js";
import { compareUtf8, type ListSource, listPage, prefixSuccessor } from "./listing.js";
import type { BucketRecord } from "./model.js";
import { assertKey, isValidBucketName } from "./names.js";
import { newVersionId } from "./object-meta.js";
import { parseRange } from "./ops/read-conditions.js";
import { bucketFromHost, parseAddress } from "./routing.js";

describe("rest-xml", () => {
  it("escapes text and writes nested, repeated, inline and absent elements", () => {
    const xml = buildXml("R", {
      A: "x<&>\"'",
      B: [1, 2],
      C: { D: true },
      E: undefined,
      [XML_INLINE]: [{ F: "1" }, { G: "2" }],
    }).toString();
    assert.equal(
      xml,
      '<?xml version="1.0" encoding="UTF-8"?>\n<R xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><A>x&lt;&amp;&gt;&quot;&apos;</A><B>1</B><B>2</B><C><D>true</D></C><F>1</F><G>2</G></R>',
    );
  });
  it("writes S3's error document without a namespace", () => {
    const xml = buildXmlError(
      "NoSuchKey",
      "The specified key does not exist.",
      { Key: "a&b" },
      { resource: "/b/a&b", requestId: "R1" },
    ).toString();
    assert.equal(
      xml,
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>a&amp;b</Key><Resource>/b/a&amp;b</Resource><RequestId>R1</RequestId></Error>',
    );
  });
  it("parses request bodies as strings, keeping whitespace in keys", () => {
    const doc = parseXml(
      '<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key> 007 </Key></Object></Delete>',
    );
    assert.deepEqual(doc, { Delete: { Object: { Key: " 007 " } } });
    assert.throws(() => parseXml("<a><b></a>"), XmlSyntaxError);
    assert.throws(() => parseXml(""), XmlSyntaxError);
  });
});

describe("aws-chunked", () => {
  const cases: [string, string, string, Record<string, string>][] = [
    [
      "unsigned with trailer",
      "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n",
      "hello world",
      { "x-amz-checksum-crc32": "DUoRhQ==" },
    ],
    [
      "signed",
      `3;chunk-signature=${"0".repeat(64)}\r\nabc\r\n0;chunk-signature=${"1".repeat(64)}\r\n\r\n`,
      "abc",
      {},
    ],
    ["empty", "0\r\n\r\n", "", {}],
  ];
  for (const [name, input, body, trailers] of cases) {
    it(name, () => {
      const out = decodeAwsChunked(Buffer.from(input));
      assert.equal(out.body.toString(), body);
      assert.deepEqual(out.trailers, trailers);
    });
  }
  it("rejects truncated bodies and wrong decoded lengths", () => {
    assert.throws(() => decodeAwsChunked(Buffer.from("a\r\nshort")), S3Error);
    assert.throws(() => decodeAwsChunked(Buffer.from("zz\r\n")), S3Error);
    assert.throws(() => decodeAwsChunked(Buffer.from("3\r\nabc\r\n0\r\n\r\n"), 4), S3Error);
  });
  it("drops aws-chunked from the stored Content-Encoding", () => {
    assert.equal(storedContentEncoding("aws-chunked"), undefined);
    assert.equal(storedContentEncoding("gzip,aws-chunked"), "gzip");
  });
});

describe("checksums", () => {
  it("match known vectors", () => {
    assert.equal(crc32c(Buffer.from("123456789")), 0xe3069283);
    assert.equal(computeChecksum("crc32", Buffer.from("hello world")), "DUoRhQ==");
    assert.equal(computeChecksum("sha256", Buffer.from("")), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
    assert.equal(computeChecksum("crc64nvme", Buffer.from("x")), undefined);
  });
});

describe("names", () => {
  const buckets: [string, boolean][] = [
    ["logs", true],
    ["my.bucket-1", true],
    ["ab", false],
    ["a".repeat(64), false],
    ["Upper", false],
    ["under_score", false],
    ["-dash", false],
    ["dash-", false],
    ["two..dots", false],
    ["dot.-dash", false],
    ["192.168.5.4", false],
    ["xn--punycode", false],
    ["bucket-s3alias", false],
  ];
  for (const [name, valid] of buckets)
    it(`bucket ${name} is ${valid ? "valid" : "invalid"}`, () =>
      assert.equal(isValidBucketName(name), valid));
  it("keys are limited to 1024 UTF-8 bytes", () => {
    assertKey("é".repeat(512));
    assert.throws(
      () => assertKey("é".repeat(513)),
      (e: unknown) => e instanceof S3Error && e.code === "KeyTooLongError",
    );
  });
});

describe("version ids", () => {
  it("are 32 characters of S3's alphabet, never starting with '-' (the CLI would read an option)", () => {
    const bucket = { versioning: "Enabled" } as BucketRecord;
    for (let i = 0; i < 5000; i++) assert.match(newVersionId(bucket), /^[A-Za-z0-9._]{32}$/);
    assert.equal(newVersionId({ versioning: "Suspended" } as BucketRecord), "null");
  });
});

describe("routing", () => {
  const hosts: [string, string | undefined][] = [
    ["logs.s3.us-east-1.amazonaws.com", "logs"],
    ["my.logs.s3.amazonaws.com", "my.logs"],
    ["logs.localhost:9000", "logs"],
    ["s3.us-east-1.amazonaws.com", undefined],
    ["127.0.0.1:9000", undefined],
    ["localhost", undefined],
  ];
  for (const [host, bucket] of hosts) it(`Host ${host}`, () => assert.equal(bucketFromHost(host), bucket));
  it("decodes path-style keys without normalising them", () => {
    assert.deepEqual(parseAddress("/b/a%2Fb//c+d%20e", "127.0.0.1"), {
      bucket: "b",
      key: "a/b//c+d e",
      style: "path",
    });
    assert.deepEqual(parseAddress("/b/", "127.0.0.1"), { bucket: "b", key: undefined, style: "path" });
    assert.deepEqual(parseAddress("/k%C3%A9", "b.localhost"), { bucket: "b", key: "ké", style: "virtual" });
  });
});

describe("ranges", () => {
  const cases: [string, number, { start: number; end: number } | undefined][] = [
    ["bytes=0-4", 10, { start: 0, end: 4 }],
    ["bytes=5-", 10, { start: 5, end: 9 }],
    ["bytes=-3", 10, { start: 7, end: 9 }],
    ["bytes=8-100", 10, { start: 8, end: 9 }],
    ["bytes=5-2", 10, undefined],
    ["items=0-1", 10, undefined],
  ];
  for (const [header, size, expected] of cases)
    it(header, () => assert.deepEqual(parseRange(header, size), expected));
  it("unsatisfiable", () =>
    assert.throws(
      () => parseRange("bytes=10-", 10),
      (e: unknown) => e instanceof S3Error && e.status === 416,
    ));
});

describe("listing order and pagination", () => {
  const keys = ["a", "a/b", "a/c/d", "b", "é", "z", "\u{1F600}", "\uFFFD", "a/c/e", "ab"].sort(compareUtf8);
  const source: ListSource<string> = {
    keyOf: (k) => k,
    fromKey: (key, inclusive, limit) =>
      keys.filter((k) => (inclusive ? compareUtf8(k, key) >= 0 : compareUtf8(k, key) > 0)).slice(0, limit),
    after: (item, limit) => keys.filter((k) => compareUtf8(k, item) > 0).slice(0, limit),
  };
  const names = (page: ReturnType<typeof listPage<string>>) =>
    page.entries.map((e) => ("item" in e ? e.item : `[${e.commonPrefix}]`));
  it("uses UTF-8 byte order (U+FFFD before an emoji, unlike UTF-16)", () => {
    assert.deepEqual(keys, ["a", "a/b", "a/c/d", "a/c/e", "ab", "b", "z", "é", "\uFFFD", "\u{1F600}"]);
  });
  it("rolls keys up into common prefixes", () => {
    assert.deepEqual(names(listPage(source, { prefix: "a/", delimiter: "/", marker: "", maxKeys: 10 })), [
      "a/b",
      "[a/c/]",
    ]);
  });
  it("paginates without repeating a common prefix", () => {
    const first = listPage(source, { prefix: "", delimiter: "/", marker: "", maxKeys: 2 });
    assert.deepEqual(names(first), ["a", "[a/]"]);
    assert.equal(first.isTruncated, true);
    const second = listPage(source, { prefix: "", delimiter: "/", marker: "a/", maxKeys: 2 });
    assert.deepEqual(names(second), ["ab", "b"]);
  });
  it("marker is exclusive and prefix is honoured", () => {
    assert.deepEqual(names(listPage(source, { prefix: "a", marker: "a/b", maxKeys: 10 })), [
      "a/c/d",
      "a/c/e",
      "ab",
    ]);
  });
  it("successor of a prefix skips all keys under it", () => {
    assert.equal(prefixSuccessor("a/"), "a0");
    assert.equal(prefixSuccessor("\u{10FFFF}"), undefined);
    assert.equal(prefixSuccessor("a\uD7FF"), "a\uE000");
  });
});
