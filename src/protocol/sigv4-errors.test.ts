import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { SigV4Request } from "./sigv4.js";
import { JSON_CALL, KEY, rejects, signed, TEMP, verify } from "./sigv4-test-kit.js";

describe("verifySigV4: errors as AWS JSON services answer", () => {
  test("no authentication: MissingAuthenticationTokenException", async () => {
    const req: SigV4Request = {
      method: "POST",
      rawPath: "/",
      query: "",
      headers: { host: "x" },
      body: Buffer.alloc(0),
    };
    await rejects(verify(req), "MissingAuthenticationTokenException", "Missing Authentication Token");
  });

  test("a non-SigV4 Authorization header: IncompleteSignatureException listing what is missing", async () => {
    const req: SigV4Request = {
      method: "POST",
      rawPath: "/",
      query: "",
      headers: { authorization: "Bearer abc" },
      body: Buffer.alloc(0),
    };
    await rejects(
      verify(req),
      "IncompleteSignatureException",
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either " +
        "a 'X-Amz-Date' or a 'Date' header. Authorization=Bearer abc",
    );
  });

  test("an Authorization header without SignedHeaders: IncompleteSignatureException", async () => {
    const req = await signed(JSON_CALL);
    const auth = (req.headers.authorization ?? "").replace(/SignedHeaders=[^,]+, /, "");
    await rejects(
      verify({ ...req, headers: { ...req.headers, authorization: auth } }),
      "IncompleteSignatureException",
      `Authorization header requires 'SignedHeaders' parameter. Authorization=${auth}`,
    );
  });

  test("a malformed credential scope: IncompleteSignatureException", async () => {
    const req = await signed(JSON_CALL);
    const auth = (req.headers.authorization ?? "").replace("/us-east-1/", "/");
    await rejects(
      verify({ ...req, headers: { ...req.headers, authorization: auth } }),
      "IncompleteSignatureException",
      /^Credential must have exactly 5 slash-delimited elements, e\.g\. keyid\/date\/region\/service\/term, got 'AKIA/,
    );
  });

  test("a wrong scope terminator or scope date: InvalidSignatureException", async () => {
    const req = await signed(JSON_CALL);
    const term = (req.headers.authorization ?? "").replace("aws4_request", "aws5_request");
    await rejects(
      verify({ ...req, headers: { ...req.headers, authorization: term } }),
      "InvalidSignatureException",
      "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
    );
    const day = (req.headers.authorization ?? "").replace("/20240101/", "/20231231/");
    await rejects(
      verify({ ...req, headers: { ...req.headers, authorization: day } }),
      "InvalidSignatureException",
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20231231' != '20240101', from '20240101T001000Z'.",
    );
  });

  test("missing or malformed X-Amz-Date: IncompleteSignatureException", async () => {
    const req = await signed(JSON_CALL);
    const { "x-amz-date": _, ...noDate } = req.headers;
    await rejects(
      verify({ ...req, headers: noDate }),
      "IncompleteSignatureException",
      /^Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header\. Authorization=AWS4/,
    );
    await rejects(
      verify({ ...req, headers: { ...noDate, date: "Mon, 01 Jan 2024 00:10:00 GMT" } }),
      "IncompleteSignatureException",
      /requires the 'X-Amz-Date' header/,
    );
    await rejects(
      verify({ ...req, headers: { ...req.headers, "x-amz-date": "2024-01-01T00:10:00Z" } }),
      "IncompleteSignatureException",
      "Date must be in ISO-8601 'basic format'. Got '2024-01-01T00:10:00Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
  });

  test("an unknown access key: UnrecognizedClientException", async () => {
    const req = await signed({ ...JSON_CALL, creds: { ...KEY, accessKeyId: "AKIANOSUCHKEY0000000" } });
    await rejects(
      verify(req),
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
    );
  });

  test("outside the skew window: AWS's exact messages", async () => {
    const req = await signed({ ...JSON_CALL, date: new Date("2024-01-01T00:00:00Z") });
    await rejects(
      verify(req),
      "InvalidSignatureException",
      "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T001000Z - 5 min.)",
    );
    await rejects(
      verify(req, { now: new Date("2024-01-01T00:20:00Z"), maxSkewMs: 15 * 60_000 }),
      "InvalidSignatureException",
      "Signature expired: 20240101T000000Z is now earlier than 20240101T000500Z (20240101T002000Z - 15 min.)",
    );
    await verify(req, { now: new Date("2024-01-01T00:05:00Z") });
    const future = await signed({ ...JSON_CALL, date: new Date("2024-01-01T00:20:00Z") });
    await rejects(
      verify(future),
      "InvalidSignatureException",
      "Signature not yet current: 20240101T002000Z is still later than 20240101T001500Z (20240101T001000Z + 5 min.)",
    );
  });
});

describe("verifySigV4: temporary credentials", () => {
  test("a session key with its token verifies", async () => {
    const req = await signed({ ...JSON_CALL, creds: TEMP });
    assert.equal(req.headers["x-amz-security-token"], TEMP.sessionToken);
    assert.equal((await verify(req)).accessKeyId, TEMP.accessKeyId);
  });

  test("a session key without its token, or with another: UnrecognizedClientException", async () => {
    const req = await signed({ ...JSON_CALL, creds: TEMP });
    const { "x-amz-security-token": _, ...noToken } = req.headers;
    await rejects(verify({ ...req, headers: noToken }), "UnrecognizedClientException");
    const other = await signed({ ...JSON_CALL, creds: { ...TEMP, sessionToken: "another-token" } });
    await rejects(verify(other), "UnrecognizedClientException");
  });

  test("a long-term key with a session token: UnrecognizedClientException", async () => {
    const req = await signed({ ...JSON_CALL, creds: { ...KEY, sessionToken: "stray" } });
    await rejects(verify(req), "UnrecognizedClientException");
  });

  test("expired session credentials: ExpiredTokenException, even with a bad signature", async () => {
    const at = new Date("2024-01-01T01:00:00Z");
    const req = await signed({ ...JSON_CALL, creds: TEMP, date: at });
    const msg = "The security token included in the request is expired";
    await rejects(verify(req, { now: at }), "ExpiredTokenException", msg);
    const bad = await signed({ ...JSON_CALL, creds: { ...TEMP, secretAccessKey: "wrong" }, date: at });
    await rejects(verify(bad, { now: at }), "ExpiredTokenException", msg);
  });
});
