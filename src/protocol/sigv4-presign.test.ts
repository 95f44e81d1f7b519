import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { signingScope } from "./sigv4.js";
import {
  JSON_CALL,
  KEY,
  onTheWire,
  presigned,
  rejects,
  request,
  SIGNED_AT,
  signed,
  signer,
  TEMP,
  verify,
} from "./sigv4-test-kit.js";

describe("verifySigV4: presigned URLs", () => {
  test("an S3 GET presigned by SignatureV4.presign verifies", async () => {
    const req = await presigned({
      service: "s3",
      path: "/bucket/my%20key/%C3%A9",
      query: { "response-content-type": "a/b c" },
    });
    assert.equal(req.headers.authorization, undefined);
    const v = await verify(req, { now: new Date("2024-01-01T00:20:00Z") });
    assert.equal(v.payloadHash, "UNSIGNED-PAYLOAD");
    assert.deepEqual(v.signedHeaders, ["host"]);
  });

  test("an S3 presigned URL with the hoisted x-amz-content-sha256 the S3 presigner adds", async () => {
    const req = await presigned({ service: "s3", path: "/b/k", unsignedPayload: "hoisted" });
    assert.match(String(req.query), /x-amz-content-sha256=UNSIGNED-PAYLOAD/);
    assert.equal((await verify(req)).payloadHash, "UNSIGNED-PAYLOAD");
  });

  test("a non-S3 presigned GET (STS GetCallerIdentity) with temporary credentials", async () => {
    const req = await presigned({
      service: "sts",
      creds: TEMP,
      query: { Action: "GetCallerIdentity", Version: "2011-06-15" },
    });
    assert.match(String(req.query), /X-Amz-Security-Token=/);
    assert.equal((await verify(req)).service, "sts");
    const wrong = String(req.query).replace(/X-Amz-Security-Token=[^&]+/, "X-Amz-Security-Token=other");
    await rejects(verify({ ...req, query: wrong }), "UnrecognizedClientException");
  });

  test("a signed header other than host stays a header", async () => {
    const req = await presigned({
      service: "s3",
      path: "/b/k",
      headers: { "x-amz-meta-a": "1", range: "bytes=0-1" },
    });
    assert.match(String(req.query), /X-Amz-SignedHeaders=host%3Brange/);
    assert.match(String(req.query), /x-amz-meta-a=1/);
    await verify(req);
    // The S3 presigner keeps x-amz-server-side-encryption-* as signed headers.
    const sse = { "x-amz-server-side-encryption": "aws:kms" };
    const headers = { ...sse, "x-amz-content-sha256": "UNSIGNED-PAYLOAD" };
    const kept = await signer({ service: "s3" }).presign(request({ method: "PUT", path: "/b/k", headers }), {
      signingDate: SIGNED_AT,
      expiresIn: 900,
      unhoistableHeaders: new Set(Object.keys(sse)),
    });
    assert.match(String(kept.query?.["X-Amz-SignedHeaders"]), /x-amz-server-side-encryption/);
    const v = await verify(onTheWire(kept));
    assert.deepEqual(v.signedHeaders, ["host", "x-amz-server-side-encryption"]);
  });

  test("an expired presigned URL: ExpiredTokenException", async () => {
    const req = await presigned({ service: "s3", path: "/b/k", expiresIn: 60 });
    await verify(req, { now: new Date("2024-01-01T00:11:00Z") });
    await rejects(
      verify(req, { now: new Date("2024-01-01T00:11:01Z") }),
      "ExpiredTokenException",
      "The security token included in the request is expired",
    );
  });

  test("a presigned URL used long before its date: not yet current", async () => {
    const req = await presigned({ service: "s3", path: "/b/k" });
    await rejects(
      verify(req, { now: new Date("2024-01-01T00:00:00Z") }),
      "InvalidSignatureException",
      /^Signature not yet current/,
    );
  });

  test("a tampered presigned URL: InvalidSignatureException", async () => {
    const req = await presigned({ service: "s3", path: "/b/k", query: { versionId: "1" } });
    await rejects(
      verify({ ...req, query: String(req.query).replace("versionId=1", "versionId=2") }),
      "InvalidSignatureException",
    );
    await rejects(verify({ ...req, rawPath: "/b/other" }), "InvalidSignatureException");
  });

  test("missing or malformed presign parameters: IncompleteSignatureException", async () => {
    const req = await presigned({ service: "s3", path: "/b/k" });
    const noSig = String(req.query).replace(/&?X-Amz-Signature=[0-9a-f]+/, "");
    await rejects(
      verify({ ...req, query: noSig }),
      "IncompleteSignatureException",
      "AWS query-string parameters must include 'X-Amz-Signature'. Re-examine the query-string parameters.",
    );
    const longExpiry = String(req.query).replace("X-Amz-Expires=900", "X-Amz-Expires=604801");
    await rejects(
      verify({ ...req, query: longExpiry }),
      "IncompleteSignatureException",
      "X-Amz-Expires must be less than a week (in seconds) that is 604800",
    );
  });
});

describe("signingScope", () => {
  test("reads the scope from the header or the presigned query without verifying", async () => {
    const header = await signed({
      ...JSON_CALL,
      region: "ap-south-1",
      creds: { ...KEY, secretAccessKey: "wrong" },
    });
    assert.deepEqual(signingScope(header.headers, header.query), {
      accessKeyId: KEY.accessKeyId,
      region: "ap-south-1",
      service: "cloudtrail",
    });
    const query = await presigned({ service: "s3", path: "/b/k" });
    assert.deepEqual(signingScope(query.headers, query.query), {
      accessKeyId: KEY.accessKeyId,
      region: "us-east-1",
      service: "s3",
    });
    assert.equal(signingScope({}, ""), undefined);
    assert.equal(
      signingScope({ authorization: "AWS4-HMAC-SHA256 Credential=AKIA/20240101/us-east-1" }, ""),
      undefined,
    );
  });
});
