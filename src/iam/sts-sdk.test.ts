import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type HttpRequest, HttpResponse } from "@smithy/protocol-http";
import { decodeQueryRequest, serializeQueryError, serializeQueryResponse } from "../protocol/aws-query.js";
import { AwsError } from "../protocol/errors.js";
import { verifySigV4 } from "../protocol/sigv4.js";
import type { RequestContext } from "../server/request-context.js";
import { IdentityStore } from "./identity-store.js";
import { createStsService, STS_PROTOCOL, type StsService } from "./sts-service.js";

const A = "123456789012";
const CI = {
  accessKeyId: "AKIAOPENTRAILCI00001",
  secretAccessKey: "ci-secret-key-0000000000000000000000000000",
};
const OUT = {
  accessKeyId: "AKIAOPENTRAILOUT0001",
  secretAccessKey: "out-secret-key-0000000000000000000000000",
};
const AUDITOR = `arn:aws:iam::${A}:role/Auditor`;
const IDENTITIES = {
  accounts: [
    { id: A, users: [{ name: "ci", admin: true, accessKeys: [CI] }], roles: [{ name: "Auditor" }] },
    { id: "210987654321", users: [{ name: "outsider", accessKeys: [OUT] }] },
  ],
};

/** SigV4 → aws-query → StsService → XML, behind the official client: what the edge will do. */
describe("STS through @aws-sdk/client-sts", () => {
  // The SDK signs with the real clock, so this store runs on it too.
  let dir: string;
  let live: IdentityStore;
  let liveSts: StsService;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "opentrail-sts-sdk-"));
    const identitiesFile = join(dir, "ids.json");
    writeFileSync(identitiesFile, JSON.stringify(IDENTITIES));
    live = await IdentityStore.open({ dataDir: join(dir, "data"), identitiesFile });
    liveSts = createStsService(live);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function serve(req: HttpRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
    const body = Buffer.from(String(req.body ?? ""));
    const reply = (status: number, xml: string) =>
      new HttpResponse({
        statusCode: status,
        headers: { "content-type": "text/xml", "x-amzn-requestid": "rid" },
        body: Buffer.from(xml),
      });
    try {
      const raw = { method: req.method, rawPath: req.path, query: "", headers, body };
      const v = await verifySigV4(raw, (id) => live.lookupAccessKey(id));
      const principal = live.lookupAccessKey(v.accessKeyId)?.principal;
      assert.ok(principal);
      const ctx: RequestContext = {
        requestId: "rid",
        principal,
        region: v.region,
        service: v.service,
        sourceIPAddress: "127.0.0.1",
        userAgent: "sdk",
        receivedAt: new Date(),
      };
      const { action, input } = decodeQueryRequest(body, STS_PROTOCOL);
      return reply(
        200,
        serializeQueryResponse(action, await liveSts.handle(action, input, ctx), "rid", STS_PROTOCOL),
      );
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      return reply(e.status, serializeQueryError(e, "rid", STS_PROTOCOL));
    }
  }

  function client(credentials: {
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
  }): STSClient {
    return new STSClient({
      region: "us-east-1",
      endpoint: "http://127.0.0.1:4580",
      credentials,
      maxAttempts: 1,
      requestHandler: { handle: async (req: HttpRequest) => ({ response: await serve(req) }) },
    });
  }

  test("assume a role, then call as that role", async () => {
    const out = await client(CI).send(
      new AssumeRoleCommand({ RoleArn: AUDITOR, RoleSessionName: "sdk", DurationSeconds: 900 }),
    );
    const c = out.Credentials;
    assert.ok(c?.AccessKeyId && c.SecretAccessKey && c.SessionToken && c.Expiration instanceof Date);
    const me = await client({
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
    }).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, `arn:aws:sts::${A}:assumed-role/Auditor/sdk`);
    assert.equal(me.Account, A);
  });

  test("errors reach the SDK with STS's codes", async () => {
    await assert.rejects(
      client({ ...CI, secretAccessKey: "wrong-secret" }).send(new GetCallerIdentityCommand({})),
      {
        name: "SignatureDoesNotMatch",
      },
    );
    await assert.rejects(
      client({ ...CI, accessKeyId: "AKIANOSUCHKEY0000000" }).send(new GetCallerIdentityCommand({})),
      {
        name: "InvalidClientTokenId",
        message: "The security token included in the request is invalid.",
      },
    );
    await assert.rejects(
      client(OUT).send(new AssumeRoleCommand({ RoleArn: AUDITOR, RoleSessionName: "nope" })),
      {
        name: "AccessDenied",
      },
    );
    await assert.rejects(client(CI).send(new AssumeRoleCommand({ RoleArn: AUDITOR, RoleSessionName: "a" })), {
      name: "ValidationError",
    });
  });
});
