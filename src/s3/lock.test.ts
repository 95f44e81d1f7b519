import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Principal } from "../iam/principal.js";
import type { RawRequest } from "../server/raw-http.js";
import {
  bodyText,
  context,
  type Fixture,
  makeFixture,
  OWNER,
  OWNER_ROOT,
  OWNER_USER,
  raw,
} from "./test-support.js";

/** Versioning and Object Lock: log archives that nobody, admin included, can rewrite early. */
describe("versioning and Object Lock", () => {
  let fx: Fixture;
  const call = (req: RawRequest, who: Principal = OWNER) => fx.service.handle(req, context(who));
  const future = () => new Date(Date.now() + 86_400_000).toISOString();
  async function putLocked(key: string, mode: string): Promise<string> {
    const res = await call(
      raw("PUT", `/vault/${key}`, {
        body: "log",
        headers: { "x-amz-object-lock-mode": mode, "x-amz-object-lock-retain-until-date": future() },
      }),
    );
    assert.equal(res.status, 200, await bodyText(res));
    return res.headers["x-amz-version-id"] as string;
  }
  before(async () => {
    fx = makeFixture();
    assert.equal(
      (await call(raw("PUT", "/vault", { headers: { "x-amz-bucket-object-lock-enabled": "true" } }))).status,
      200,
    );
    assert.equal((await call(raw("PUT", "/plain"))).status, 200);
  });
  after(async () => fx?.close());

  it("a lock-enabled bucket is versioned and cannot be suspended", async () => {
    assert.match(await bodyText(await call(raw("GET", "/vault?versioning"))), /<Status>Enabled<\/Status>/);
    const res = await call(
      raw("PUT", "/vault?versioning", {
        body: "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>",
      }),
    );
    assert.equal(res.status, 409);
  });

  it("delete without versionId adds a delete marker and keeps the version", async () => {
    const id = await putLocked("a.json.gz", "COMPLIANCE");
    const del = await call(raw("DELETE", "/vault/a.json.gz"));
    assert.equal(del.status, 204);
    assert.equal(del.headers["x-amz-delete-marker"], "true");
    const current = await call(raw("GET", "/vault/a.json.gz"));
    assert.equal(current.status, 404);
    assert.equal(current.headers["x-amz-delete-marker"], "true");
    assert.equal(await bodyText(await call(raw("GET", `/vault/a.json.gz?versionId=${id}`))), "log");
    const marker = del.headers["x-amz-version-id"] as string;
    assert.equal((await call(raw("GET", `/vault/a.json.gz?versionId=${marker}`))).status, 405);
    assert.equal((await call(raw("DELETE", `/vault/a.json.gz?versionId=${marker}`))).status, 204);
    assert.equal((await call(raw("GET", "/vault/a.json.gz"))).status, 200);
  });

  const attempts: [string, string, Principal, Record<string, string>, number][] = [
    ["COMPLIANCE, admin", "COMPLIANCE", OWNER, {}, 403],
    [
      "COMPLIANCE, admin with bypass",
      "COMPLIANCE",
      OWNER,
      { "x-amz-bypass-governance-retention": "true" },
      403,
    ],
    [
      "COMPLIANCE, account root with bypass",
      "COMPLIANCE",
      OWNER_ROOT,
      { "x-amz-bypass-governance-retention": "true" },
      403,
    ],
    ["GOVERNANCE, admin without bypass", "GOVERNANCE", OWNER, {}, 403],
    [
      "GOVERNANCE, non-admin with bypass",
      "GOVERNANCE",
      OWNER_USER,
      { "x-amz-bypass-governance-retention": "true" },
      403,
    ],
    [
      "GOVERNANCE, admin with bypass",
      "GOVERNANCE",
      OWNER,
      { "x-amz-bypass-governance-retention": "true" },
      204,
    ],
  ];
  for (const [name, mode, who, headers, status] of attempts) {
    it(`delete of a locked version: ${name} -> ${status}`, async () => {
      const key = `locked-${name.replace(/\W+/g, "-")}`;
      const id = await putLocked(key, mode);
      const res = await call(raw("DELETE", `/vault/${key}?versionId=${id}`, { headers }), who);
      assert.equal(res.status, status, await bodyText(res));
      if (status === 403) {
        assert.equal(fx.sink.last()?.errorCode, "AccessDenied");
        assert.equal(fx.sink.last()?.eventName, "DeleteObject");
      }
      const survived = (await call(raw("HEAD", `/vault/${key}?versionId=${id}`))).status === 200;
      assert.equal(survived, status === 403);
    });
  }

  it("DeleteObjects reports locked versions as AccessDenied and keeps them", async () => {
    const id = await putLocked("batch", "COMPLIANCE");
    const body = `<Delete><Object><Key>batch</Key><VersionId>${id}</VersionId></Object></Delete>`;
    const res = await call(raw("POST", "/vault?delete", { body }));
    const text = await bodyText(res);
    assert.match(text, /<Error><Key>batch<\/Key><VersionId>[^<]+<\/VersionId><Code>AccessDenied<\/Code>/);
    assert.equal((await call(raw("HEAD", `/vault/batch?versionId=${id}`))).status, 200);
  });

  it("default retention applies to new versions; retention cannot be shortened", async () => {
    const conf =
      "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>";
    assert.equal((await call(raw("PUT", "/vault?object-lock", { body: conf }))).status, 200);
    assert.match(
      await bodyText(await call(raw("GET", "/vault?object-lock"))),
      /<Mode>COMPLIANCE<\/Mode><Days>1<\/Days>/,
    );
    const put = await call(raw("PUT", "/vault/defaulted", { body: "x" }));
    const id = put.headers["x-amz-version-id"] as string;
    const head = await call(raw("HEAD", `/vault/defaulted?versionId=${id}`));
    assert.equal(head.headers["x-amz-object-lock-mode"], "COMPLIANCE");
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const shorten = `<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>${soon}</RetainUntilDate></Retention>`;
    assert.equal(
      (await call(raw("PUT", `/vault/defaulted?retention&versionId=${id}`, { body: shorten }))).status,
      403,
    );
    const later = new Date(Date.now() + 10 * 86_400_000).toISOString();
    const extend = `<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>${later}</RetainUntilDate></Retention>`;
    assert.equal(
      (await call(raw("PUT", `/vault/defaulted?retention&versionId=${id}`, { body: extend }))).status,
      200,
    );
    assert.match(
      await bodyText(await call(raw("GET", `/vault/defaulted?retention&versionId=${id}`))),
      /<Mode>COMPLIANCE<\/Mode>/,
    );
  });

  it("the internal store honours default retention and records nothing", async () => {
    const before = fx.sink.events.length;
    const { versionId } = await fx.service.store.putObject(
      "vault",
      "AWSLogs/internal.json.gz",
      Buffer.from("x"),
      { metadata: { signature: "ab" } },
    );
    assert.equal(fx.sink.events.length, before);
    const del = await call(raw("DELETE", `/vault/AWSLogs/internal.json.gz?versionId=${versionId}`));
    assert.equal(del.status, 403);
  });

  it("lock headers on a bucket without Object Lock are InvalidRequest", async () => {
    const res = await call(
      raw("PUT", "/plain/x", {
        body: "x",
        headers: { "x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": future() },
      }),
    );
    assert.equal(res.status, 400);
    assert.match(await bodyText(res), /<Code>InvalidRequest<\/Code>/);
  });

  it("suspended versioning writes null versions that replace each other", async () => {
    await call(
      raw("PUT", "/plain?versioning", {
        body: "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
      }),
    );
    const kept = (await call(raw("PUT", "/plain/s", { body: "v1" }))).headers["x-amz-version-id"];
    await call(
      raw("PUT", "/plain?versioning", {
        body: "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>",
      }),
    );
    assert.equal((await call(raw("PUT", "/plain/s", { body: "v2" }))).headers["x-amz-version-id"], "null");
    await call(raw("PUT", "/plain/s", { body: "v3" }));
    const list = await bodyText(await call(raw("GET", "/plain?versions&prefix=s")));
    const ids = [...list.matchAll(/<VersionId>([^<]+)<\/VersionId>/g)].map((m) => m[1]);
    assert.deepEqual(ids, ["null", kept]);
    assert.equal(await bodyText(await call(raw("GET", "/plain/s"))), "v3");
  });
});
