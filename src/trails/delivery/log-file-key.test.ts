import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { gunzipSync, inflateRawSync } from "node:zlib";
import { gzipFile, logFileBody, sha256Hex } from "./log-file.js";
import { digestFileKey, digestFileTime, logFileKey, logFileTime, uniqueString } from "./log-file-key.js";

describe("S3 key layout (reference §3.1)", () => {
  const at = new Date("2015-08-01T02:10:59.123Z");

  test("log file key, no prefix", () => {
    assert.equal(
      logFileKey({
        accountId: "111122223333",
        region: "us-east-2",
        deliveredAt: at,
        unique: "Mu0KsOhtH1ar15ZZ",
      }),
      "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz",
    );
  });

  test("log file key with prefix", () => {
    assert.equal(
      logFileKey({
        prefix: "logs/ct",
        accountId: "123456789012",
        region: "eu-west-1",
        deliveredAt: at,
        unique: "A".repeat(16),
      }),
      `logs/ct/AWSLogs/123456789012/CloudTrail/eu-west-1/2015/08/01/123456789012_CloudTrail_eu-west-1_20150801T0210Z_${"A".repeat(16)}.json.gz`,
    );
  });

  test("digest key: delivering Region, trail name, home Region, end time with seconds", () => {
    const key = digestFileKey({
      accountId: "111122223333",
      region: "us-east-2",
      trailName: "your-trail-name",
      homeRegion: "us-east-2",
      endTime: new Date("2015-08-17T15:01:31Z"),
    });
    assert.equal(
      key,
      "AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_your-trail-name_us-east-2_20150817T150131Z.json.gz",
    );
    assert.equal(key.slice(-24, -8), "20150817T150131Z", "validate-logs slices the date as key[-24:-8]");
  });

  test("times are UTC and zero-padded", () => {
    const d = new Date("2024-01-02T03:04:05Z");
    assert.equal(logFileTime(d), "20240102T0304Z");
    assert.equal(digestFileTime(d), "20240102T030405Z");
  });

  test("unique string: 16 alphanumerics, deterministic per (trail, Region, first, last)", () => {
    const arn = "arn:aws:cloudtrail:us-east-1:123456789012:trail/T1x";
    const u = uniqueString(arn, "us-east-1", 10, 20);
    assert.match(u, /^[A-Za-z0-9]{16}$/);
    assert.equal(uniqueString(arn, "us-east-1", 10, 20), u);
    assert.notEqual(uniqueString(arn, "us-east-1", 10, 21), u);
    assert.notEqual(uniqueString(arn, "us-west-2", 10, 20), u);
    assert.notEqual(uniqueString(`${arn}2`, "us-east-1", 10, 20), u);
  });
});

describe("log file content (reference §3.2, §4.4)", () => {
  test('{"Records":[...]} from the payload bytes, one gzip member, hash of the uncompressed bytes', async () => {
    const records = [
      Buffer.from('{"eventVersion":"1.11","eventID":"a"}'),
      Buffer.from('{"eventVersion":"1.11","eventID":"b"}'),
    ];
    const body = logFileBody(records);
    assert.equal(
      body.toString(),
      '{"Records":[{"eventVersion":"1.11","eventID":"a"},{"eventVersion":"1.11","eventID":"b"}]}',
    );
    assert.deepEqual(JSON.parse(body.toString()).Records.length, 2);
    const gz = await gzipFile(body);
    assert.deepEqual(gunzipSync(gz), body);
    // Single member: the deflate stream ends exactly before the 8-byte trailer.
    assert.equal(gz[0], 0x1f);
    assert.equal(gz[1], 0x8b);
    assert.deepEqual(inflateRawSync(gz.subarray(10, gz.length - 8)), body);
    assert.equal(gz.readUInt32LE(gz.length - 4), body.length);
    assert.deepEqual(await gzipFile(body), gz, "same bytes in, same bytes out");
    assert.equal(sha256Hex(body).length, 64);
  });

  test("empty batch is still valid JSON", () => {
    assert.equal(logFileBody([]).toString(), '{"Records":[]}');
  });
});
