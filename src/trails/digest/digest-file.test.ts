import assert from "node:assert/strict";
import { createHash, createPublicKey, generateKeyPairSync } from "node:crypto";
import { describe, test } from "node:test";
import { keyFingerprint, keysOverlapping, publicKeyDer, toPublicKey } from "../public-keys.js";
import { buildDigest, digestStringToSign, signString, verifyString } from "./digest-file.js";

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });

const LOG = {
  s3Bucket: "b",
  s3Object: "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/17/x.json.gz",
  hashValue: "9bb6196fc6b84d6f075a56548feca262bd99ba3c2de41b618e5b6e22c1fc71f6",
  hashAlgorithm: "SHA-256" as const,
  newestEventTime: "2015-08-17T14:52:27Z",
  oldestEventTime: "2015-08-17T14:42:27Z",
};

describe("digest file (reference §4.1–4.3)", () => {
  test("every field, in CloudTrail's order, first of a chain has null previous*", () => {
    const d = buildDigest({
      accountId: "111122223333",
      startTime: "2015-08-17T14:01:31Z",
      endTime: "2015-08-17T15:01:31Z",
      bucket: "b",
      key: "k",
      fingerprint: "31e8b5433410dfb61a9dc45cc65b22ff",
      previous: null,
      logFiles: [
        LOG,
        {
          ...LOG,
          s3Object: "y",
          newestEventTime: "2015-08-17T14:59:00Z",
          oldestEventTime: "2015-08-17T14:00:00Z",
        },
      ],
    });
    assert.deepEqual(Object.keys(d), [
      "awsAccountId",
      "digestStartTime",
      "digestEndTime",
      "digestS3Bucket",
      "digestS3Object",
      "digestPublicKeyFingerprint",
      "digestSignatureAlgorithm",
      "newestEventTime",
      "oldestEventTime",
      "previousDigestS3Bucket",
      "previousDigestS3Object",
      "previousDigestHashValue",
      "previousDigestHashAlgorithm",
      "previousDigestSignature",
      "logFiles",
    ]);
    assert.equal(d.digestSignatureAlgorithm, "SHA256withRSA");
    assert.equal(d.newestEventTime, "2015-08-17T14:59:00Z");
    assert.equal(d.oldestEventTime, "2015-08-17T14:00:00Z");
    for (const k of [
      "previousDigestS3Bucket",
      "previousDigestS3Object",
      "previousDigestHashValue",
      "previousDigestHashAlgorithm",
      "previousDigestSignature",
    ] as const)
      assert.equal(d[k], null, k);
    assert.deepEqual(Object.keys(d.logFiles[0] ?? {}), [
      "s3Bucket",
      "s3Object",
      "hashValue",
      "hashAlgorithm",
      "newestEventTime",
      "oldestEventTime",
    ]);
  });

  test("empty interval: logFiles [] and null newest/oldest; chained digest carries the previous one", () => {
    const d = buildDigest({
      accountId: "1",
      startTime: "s",
      endTime: "e",
      bucket: "b",
      key: "k",
      fingerprint: "f",
      previous: { bucket: "pb", key: "pk", hash: "ph", signature: "ps" },
      logFiles: [],
    });
    assert.deepEqual(d.logFiles, []);
    assert.equal(d.newestEventTime, null);
    assert.equal(d.oldestEventTime, null);
    assert.equal(d.previousDigestS3Bucket, "pb");
    assert.equal(d.previousDigestS3Object, "pk");
    assert.equal(d.previousDigestHashValue, "ph");
    assert.equal(d.previousDigestHashAlgorithm, "SHA-256");
    assert.equal(d.previousDigestSignature, "ps");
    assert.match(JSON.stringify(d), /"newestEventTime":null,"oldestEventTime":null/);
  });

  test("string to sign: end time, bucket/key, sha256 of the exact uncompressed bytes, previous signature or null", () => {
    const body = Buffer.from('{"x":1}');
    const hash = createHash("sha256").update(body).digest("hex");
    const fields = {
      digestEndTime: "2015-08-12T04:01:31Z",
      digestS3Bucket: "b",
      digestS3Object: "a/k.json.gz",
    };
    assert.equal(
      digestStringToSign({ ...fields, previousDigestSignature: null }, body),
      `2015-08-12T04:01:31Z\nb/a/k.json.gz\n${hash}\nnull`,
    );
    assert.equal(
      digestStringToSign({ ...fields, previousDigestSignature: "abcd" }, body),
      `2015-08-12T04:01:31Z\nb/a/k.json.gz\n${hash}\nabcd`,
    );
  });

  test("SHA256withRSA signature: lower-case hex, 512 chars, verifies with the PKCS#1 public key; one byte off fails", () => {
    const s = "2015-08-12T04:01:31Z\nb/k\nhash\nnull";
    const sig = signString(s, privateKey);
    assert.match(sig, /^[0-9a-f]{512}$/);
    const pkcs1 = createPublicKey({ key: publicKeyDer(publicKey), format: "der", type: "pkcs1" });
    assert.equal(verifyString(s, sig, pkcs1), true);
    assert.equal(verifyString(`${s} `, sig, pkcs1), false);
    assert.equal(
      verifyString(s, `${sig.slice(0, -1)}0`.replace(/.$/, sig.endsWith("0") ? "1" : "0"), pkcs1),
      false,
    );
    assert.equal(verifyString(s, "zz", pkcs1), false);
  });
});

describe("public key format (reference §4.5)", () => {
  test("PKCS#1 DER: 270 bytes, base64 MIIBCgKCAQEA, MD5 fingerprint of the DER", () => {
    const der = publicKeyDer(publicKey);
    assert.equal(der.length, 270);
    assert.equal(der.subarray(0, 4).toString("hex"), "3082010a");
    assert.ok(der.toString("base64").startsWith("MIIBCgKCAQEA"));
    const fp = keyFingerprint(der);
    assert.equal(fp, createHash("md5").update(der).digest("hex"));
    assert.match(fp, /^[0-9a-f]{32}$/);
    const wire = toPublicKey({ der, fingerprint: fp, validFrom: 1_000_000, validTo: 2_000_000 });
    assert.equal(
      Buffer.from(wire.Value ?? [])
        .toString("base64")
        .slice(0, 12),
      "MIIBCgKCAQEA",
    );
    assert.deepEqual(wire.ValidityStartTime, new Date(1_000_000));
    assert.deepEqual(wire.ValidityEndTime, new Date(2_000_000));
  });

  test("keysOverlapping returns every key whose window overlaps the range", () => {
    const k = (from: number, to: number) => ({
      der: Buffer.alloc(0),
      fingerprint: `${from}`,
      validFrom: from,
      validTo: to,
    });
    const keys = [k(0, 10), k(10, 20), k(20, 30)];
    assert.deepEqual(
      keysOverlapping(keys, 12, 15).map((x) => x.fingerprint),
      ["10"],
    );
    assert.deepEqual(
      keysOverlapping(keys, 5, 25).map((x) => x.fingerprint),
      ["0", "10", "20"],
    );
    assert.deepEqual(
      keysOverlapping(keys, 10, 10).map((x) => x.fingerprint),
      ["0", "10"],
    );
    assert.deepEqual(keysOverlapping(keys, 31, 40), []);
  });
});
