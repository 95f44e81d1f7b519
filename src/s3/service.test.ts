import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { crc32 } from "node:zlib";
import type { Principal } from "../iam/principal.js";
import type { RawRequest } from "../server/raw-http.js";
import {
  bodyText,
  context,
  type Fixture,
  makeFixture,
  OTHER,
  OWNER,
  OWNER_USER,
  raw,
} from "./test-support.js";

/** handle() driven with RawRequests: S3 errors, CloudTrail classification, bucket policies. */
describe("S3 service", () => {
  let fx: Fixture;
  const call = (req: RawRequest, who: Principal = OWNER) => fx.service.handle(req, context(who));
  before(async () => {
    fx = makeFixture();
    assert.equal((await call(raw("PUT", "/logs"))).status, 200);
  });
  after(async () => fx?.close());

  describe("errors as S3 writes them", () => {
    const cases: [string, () => RawRequest, number, string, Principal?][] = [
      ["bad bucket name", () => raw("PUT", "/Bad_Name"), 400, "InvalidBucketName"],
      ["IP-like bucket name", () => raw("PUT", "/192.168.1.1"), 400, "InvalidBucketName"],
      ["bucket already owned", () => raw("PUT", "/logs"), 409, "BucketAlreadyOwnedByYou"],
      ["bucket owned by someone else", () => raw("PUT", "/logs"), 409, "BucketAlreadyExists", OTHER],
      ["missing bucket", () => raw("GET", "/nope/key"), 404, "NoSuchBucket"],
      ["missing key", () => raw("GET", "/logs/nope"), 404, "NoSuchKey"],
      [
        "key over 1024 bytes",
        () => raw("PUT", `/logs/${"k".repeat(1025)}`, { body: "x" }),
        400,
        "KeyTooLongError",
      ],
      [
        "bad XML",
        () => raw("PUT", "/logs?versioning", { body: "<VersioningConfiguration><Status>" }),
        400,
        "MalformedXML",
      ],
      [
        "bad versioning status",
        () =>
          raw("PUT", "/logs?versioning", {
            body: "<VersioningConfiguration><Status>On</Status></VersioningConfiguration>",
          }),
        400,
        "MalformedXML",
      ],
      ["bad policy JSON", () => raw("PUT", "/logs?policy", { body: "{" }), 400, "MalformedPolicy"],
      [
        "policy on another bucket",
        () =>
          raw("PUT", "/logs?policy", {
            body: JSON.stringify({
              Statement: [
                { Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::x/*" },
              ],
            }),
          }),
        400,
        "MalformedPolicy",
      ],
      ["no bucket policy", () => raw("GET", "/logs?policy"), 404, "NoSuchBucketPolicy"],
      [
        "no lock configuration",
        () => raw("GET", "/logs?object-lock"),
        404,
        "ObjectLockConfigurationNotFoundError",
      ],
      [
        "bad Content-MD5",
        () => raw("PUT", "/logs/k", { body: "abc", headers: { "content-md5": "nope" } }),
        400,
        "InvalidDigest",
      ],
      [
        "wrong Content-MD5",
        () =>
          raw("PUT", "/logs/k", {
            body: "abc",
            headers: { "content-md5": createHash("md5").update("abd").digest("base64") },
          }),
        400,
        "BadDigest",
      ],
      [
        "wrong CRC32",
        () => raw("PUT", "/logs/k", { body: "abc", headers: { "x-amz-checksum-crc32": "AAAAAA==" } }),
        400,
        "BadDigest",
      ],
      [
        "unsatisfiable range",
        () => raw("GET", "/logs/ten", { headers: { range: "bytes=50-60" } }),
        416,
        "InvalidRange",
      ],
      ["not implemented subresource", () => raw("GET", "/logs?cors"), 501, "NotImplemented"],
      ["POST to a bucket", () => raw("POST", "/logs"), 405, "MethodNotAllowed"],
      ["other account, no policy", () => raw("GET", "/logs/ten"), 403, "AccessDenied", OTHER],
      ["DeleteBucket not empty", () => raw("DELETE", "/logs"), 409, "BucketNotEmpty"],
    ];
    before(async () => {
      assert.equal((await call(raw("PUT", "/logs/ten", { body: "0123456789" }))).status, 200);
    });
    for (const [name, make, status, code, who] of cases) {
      it(name, async () => {
        const res = await call(make(), who);
        const text = await bodyText(res);
        assert.equal(res.status, status, text);
        assert.match(
          text,
          new RegExp(
            `^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<Error><Code>${code}</Code><Message>[^<]+</Message>`,
          ),
        );
        assert.match(text, /<Resource>[^<]*<\/Resource><RequestId>[0-9A-F]+<\/RequestId><HostId>/);
        // A request that names no S3 operation (405) has no event name, so no record.
        if (status !== 405) assert.equal(fx.sink.last()?.errorCode, code);
      });
    }
    it("HEAD errors carry no body", async () => {
      const res = await call(raw("HEAD", "/logs/nope"));
      assert.equal(res.status, 404);
      assert.equal(res.body, undefined);
    });
    it("denied calls are recorded as AccessDenied / Access Denied, for the caller and the bucket owner", async () => {
      await call(raw("GET", "/logs/ten"), OTHER);
      const [callers, owners] = fx.sink.events.slice(-2);
      for (const e of [callers, owners]) {
        assert.equal(e?.errorCode, "AccessDenied");
        assert.equal(e?.errorMessage, "Access Denied");
        assert.equal(e?.userIdentity?.accountId, "444455556666");
      }
      assert.equal(callers?.recipientAccountId, "444455556666");
      assert.equal(owners?.recipientAccountId, "111122223333");
      assert.ok(owners?.sharedEventID && owners.sharedEventID === callers?.sharedEventID);
      assert.notEqual(owners?.eventID, callers?.eventID);
      // The owner's own call: one record, no link.
      const before = fx.sink.events.length;
      await call(raw("GET", "/logs/ten"));
      assert.equal(fx.sink.events.length, before + 1);
      assert.equal(fx.sink.last()?.sharedEventID, undefined);
    });
  });

  describe("CloudTrail records", () => {
    it("object calls are data events shaped like S3's", async () => {
      await call(raw("PUT", "/logs/a%20b.txt", { body: "hello" }));
      const e = fx.sink.last();
      assert.equal(e?.eventName, "PutObject");
      assert.equal(e?.eventSource, "s3.amazonaws.com");
      assert.equal(e?.eventCategory, "Data");
      assert.equal(e?.managementEvent, false);
      assert.equal(e?.readOnly, false);
      assert.deepEqual(e?.requestParameters, { bucketName: "logs", Host: "127.0.0.1", key: "a b.txt" });
      assert.deepEqual(e?.responseElements, { "x-amz-server-side-encryption": "AES256" });
      assert.deepEqual(e?.resources, [
        { type: "AWS::S3::Object", ARN: "arn:aws:s3:::logs/a b.txt" },
        { accountId: "111122223333", type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::logs" },
      ]);
      assert.equal(e?.additionalEventData?.bytesTransferredIn, 5);
      assert.equal(e?.additionalEventData?.SignatureVersion, "SigV4");
      assert.equal(e?.additionalEventData?.AuthenticationMethod, "AuthHeader");
      assert.equal(e?.userAgent, "[test-agent/1.0]");
      assert.equal(e?.recipientAccountId, "111122223333");
      const get = await call(raw("GET", "/logs/a%20b.txt"));
      assert.equal(await bodyText(get), "hello");
      assert.equal(fx.sink.last()?.additionalEventData?.bytesTransferredOut, 5);
      assert.equal(fx.sink.last()?.readOnly, true);
    });

    const classification: [string, () => RawRequest, string, string][] = [
      ["ListBuckets", () => raw("GET", "/"), "ListBuckets", "Management"],
      ["GetBucketLocation", () => raw("GET", "/logs?location"), "GetBucketLocation", "Management"],
      ["GetBucketVersioning", () => raw("GET", "/logs?versioning"), "GetBucketVersioning", "Management"],
      [
        "GetObjectLockConfiguration",
        () => raw("GET", "/logs?object-lock"),
        "GetBucketObjectLockConfiguration",
        "Management",
      ],
      ["ListObjects", () => raw("GET", "/logs?prefix=a"), "ListObjects", "Data"],
      ["ListObjectsV2", () => raw("GET", "/logs?list-type=2"), "ListObjects", "Data"],
      ["ListObjectVersions", () => raw("GET", "/logs?versions"), "ListObjectVersions", "Data"],
      ["HeadBucket", () => raw("HEAD", "/logs"), "HeadBucket", "Data"],
      ["HeadObject", () => raw("HEAD", "/logs/ten"), "HeadObject", "Data"],
    ];
    for (const [name, make, eventName, category] of classification) {
      it(`${name} is a ${category} event named ${eventName}`, async () => {
        await call(make());
        const e = fx.sink.last();
        assert.equal(e?.eventName, eventName);
        assert.equal(e?.eventCategory, category);
        assert.equal(e?.managementEvent, category === "Management");
        if (category === "Management" && name !== "ListBuckets") {
          assert.deepEqual(e?.resources, [
            { accountId: "111122223333", type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::logs" },
          ]);
        }
      });
    }
    it("listing data events name the prefix (ARNPrefix) and carry the query", async () => {
      await call(raw("GET", "/logs?list-type=2&prefix=AWSLogs%2F&encoding-type=url"));
      const e = fx.sink.last();
      assert.deepEqual(e?.resources?.[0], {
        type: "AWS::S3::Object",
        ARNPrefix: "arn:aws:s3:::logs/AWSLogs/",
      });
      assert.deepEqual(e?.requestParameters, {
        bucketName: "logs",
        Host: "127.0.0.1",
        "list-type": "2",
        prefix: "AWSLogs/",
        "encoding-type": "url",
      });
    });
    it("PutBucketPolicy records the document", async () => {
      const policy = {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Deny", Principal: "*", Action: "s3:DeleteObject", Resource: "arn:aws:s3:::logs/x" },
        ],
      };
      assert.equal((await call(raw("PUT", "/logs?policy", { body: JSON.stringify(policy) }))).status, 204);
      const e = fx.sink.last();
      assert.equal(e?.eventCategory, "Management");
      assert.deepEqual(e?.requestParameters?.bucketPolicy, policy);
      assert.equal((await call(raw("DELETE", "/logs?policy"))).status, 204);
    });
  });

  describe("aws-chunked bodies", () => {
    const data = Buffer.from("chunked payload");
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(data));
    const chunked = (signature: (n: number) => string, trailerSignature: string) =>
      Buffer.concat([
        Buffer.from(`${data.length.toString(16)}${signature(0)}\r\n`),
        data,
        Buffer.from(
          `\r\n0${signature(1)}\r\nx-amz-checksum-crc32:${crc.toString("base64")}\r\n${trailerSignature}\r\n`,
        ),
      ]);
    const headers = (contentSha256: string) => ({
      "content-encoding": "aws-chunked",
      "x-amz-content-sha256": contentSha256,
      "x-amz-decoded-content-length": String(data.length),
      "x-amz-trailer": "x-amz-checksum-crc32",
    });

    it("decodes unsigned chunks and verifies the CRC32 trailer", async () => {
      const body = chunked(() => "", "");
      const res = await call(
        raw("PUT", "/logs/chunked", { body, headers: headers("STREAMING-UNSIGNED-PAYLOAD-TRAILER") }),
      );
      assert.equal(res.status, 200);
      assert.equal(res.headers["x-amz-checksum-crc32"], crc.toString("base64"));
      const got = await call(raw("GET", "/logs/chunked", { headers: { "x-amz-checksum-mode": "ENABLED" } }));
      assert.equal(await bodyText(got), "chunked payload");
      assert.equal(got.headers["x-amz-checksum-crc32"], crc.toString("base64"));
      assert.equal(got.headers["content-encoding"], undefined);
    });

    it("refuses signed chunks whose seed signature nothing verified (signed-chunks.e2e.test.ts verifies them)", async () => {
      const body = chunked(
        (n) => `;chunk-signature=${String(n).repeat(64)}`,
        `x-amz-trailer-signature:${"c".repeat(64)}\r\n`,
      );
      const res = await call(
        raw("PUT", "/logs/signed-unverified", {
          body,
          headers: headers("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"),
        }),
      );
      assert.equal(res.status, 403);
      assert.match(await bodyText(res), /<Code>SignatureDoesNotMatch<\/Code>/);
      assert.equal(fx.sink.last()?.errorCode, "SignatureDoesNotMatch");
      assert.equal((await call(raw("HEAD", "/logs/signed-unverified"))).status, 404);
    });
  });

  describe("bucket policy matrix", () => {
    const put = (who: Principal) =>
      call(raw("PUT", "/shared/AWSLogs/111122223333/f.json.gz", { body: "x" }), who);
    before(async () => {
      await call(raw("PUT", "/shared"));
      const policy = {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: "444455556666" },
            Action: "s3:GetObject",
            Resource: "arn:aws:s3:::shared/public/*",
          },
          {
            Effect: "Deny",
            Principal: "*",
            Action: "s3:DeleteObject",
            Resource: "arn:aws:s3:::shared/AWSLogs/*",
          },
          {
            Sid: "AWSCloudTrailWrite20150319",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: "arn:aws:s3:::shared/AWSLogs/111122223333/*",
            Condition: {
              StringEquals: {
                "s3:x-amz-acl": "bucket-owner-full-control",
                "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
              },
            },
          },
          {
            Sid: "AWSCloudTrailAclCheck20150319",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:GetBucketAcl",
            Resource: "arn:aws:s3:::shared",
          },
        ],
      };
      assert.equal((await call(raw("PUT", "/shared?policy", { body: JSON.stringify(policy) }))).status, 204);
      await call(raw("PUT", "/shared/public/p", { body: "p" }));
    });
    it("owner account principals may write, other accounts may not", async () => {
      assert.equal((await put(OWNER_USER)).status, 200);
      assert.equal((await put(OTHER)).status, 403);
    });
    it("other accounts get exactly what the policy allows", async () => {
      assert.equal((await call(raw("GET", "/shared/public/p"), OTHER)).status, 200);
      assert.equal((await call(raw("HEAD", "/shared/public/p"), OTHER)).status, 200);
      assert.equal((await call(raw("GET", "/shared/AWSLogs/111122223333/f.json.gz"), OTHER)).status, 403);
    });
    it("an explicit deny binds the owner account too", async () => {
      assert.equal((await call(raw("DELETE", "/shared/AWSLogs/111122223333/f.json.gz"))).status, 403);
      assert.equal((await call(raw("DELETE", "/shared/public/p"))).status, 204);
    });
    it("the service principal needs the policy's SourceArn and ACL", async () => {
      const base = {
        principal: { type: "Service" as const, id: "cloudtrail.amazonaws.com" },
        action: "s3:PutObject",
        resource: "arn:aws:s3:::shared/AWSLogs/111122223333/CloudTrail/x.json.gz",
      };
      const ok = await fx.service.authorizeBucketAccess("shared", {
        ...base,
        context: {
          "aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111122223333:trail/t",
          "aws:SourceAccount": "111122223333",
          "s3:x-amz-acl": "bucket-owner-full-control",
        },
      });
      assert.deepEqual(ok, { exists: true, allowed: true, decision: "Allow" });
      const noArn = await fx.service.authorizeBucketAccess("shared", {
        ...base,
        context: { "s3:x-amz-acl": "bucket-owner-full-control" },
      });
      assert.equal(noArn.allowed, false);
      const acl = await fx.service.authorizeBucketAccess("shared", {
        ...base,
        action: "s3:GetBucketAcl",
        resource: "arn:aws:s3:::shared",
      });
      assert.equal(acl.allowed, true);
      const elsewhere = await fx.service.authorizeBucketAccess("logs", {
        ...base,
        resource: "arn:aws:s3:::logs/AWSLogs/1/x",
      });
      assert.equal(elsewhere.allowed, false);
      assert.equal((await fx.service.authorizeBucketAccess("missing", base)).exists, false);
    });
  });
});
