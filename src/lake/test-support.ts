import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  type CloudTrailClient,
  CreateEventDataStoreCommand,
  GetImportCommand,
  GetQueryResultsCommand,
  StartImportCommand,
  StartQueryCommand,
} from "@aws-sdk/client-cloudtrail";
import { CreateBucketCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { resolveConfig } from "../config/config.js";
import { silentLogger } from "../config/logger.js";
import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import { type OpenTrail, startOpenTrail } from "../main.js";
import { ADMIN, tempDir, writeIdentitiesFile } from "../test-support/fixtures.js";

export const DATA = new URL("../../../shared/data/", import.meta.url).pathname;
export const INVICTUS = join(DATA, "invictus-aws-dataset/CloudTrail");
export const STRATUS = join(DATA, "stratus-detonation-logs/docs/detonation-logs");

export const storeId = (arn: string | undefined): string => (arn ?? "").split("/").pop() ?? "";

export async function createStore(ct: CloudTrailClient, name: string, extra: Record<string, unknown> = {}) {
  const out = await ct.send(
    new CreateEventDataStoreCommand({ Name: name, TerminationProtectionEnabled: false, ...extra }),
  );
  return { arn: out.EventDataStoreArn as string, id: storeId(out.EventDataStoreArn) };
}

/** Runs a Lake query to the end through the API; rows as objects (column → value). */
export async function query(ct: CloudTrailClient, app: OpenTrail, sql: string) {
  const { QueryId } = await ct.send(new StartQueryCommand({ QueryStatement: sql }));
  await app.lake.settled(QueryId as string);
  const rows: Array<Array<Record<string, string>>> = [];
  let token: string | undefined;
  let status: string | undefined;
  do {
    const page = await ct.send(new GetQueryResultsCommand({ QueryId, NextToken: token }));
    status = page.QueryStatus;
    if (status !== "FINISHED") throw new Error(`query ${status}: ${page.ErrorMessage}`);
    rows.push(...(page.QueryResultRows ?? []));
    token = page.NextToken;
  } while (token);
  return {
    queryId: QueryId as string,
    rows,
    objects: rows.map((r) => Object.assign({}, ...r) as Record<string, string>),
  };
}

/** Uploads files to a bucket of the built-in store under `prefix/`. */
export async function upload(
  s3: S3Client,
  bucket: string,
  prefix: string,
  files: Array<[name: string, body: Buffer]>,
) {
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((e) => {
    if ((e as { name?: string }).name !== "BucketAlreadyOwnedByYou") throw e;
  });
  for (const [name, body] of files)
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${name}`, Body: body }));
}

export function invictusFiles(): Array<[string, Buffer]> {
  return readdirSync(INVICTUS)
    .sort()
    .map((f) => [f, readFileSync(join(INVICTUS, f))]);
}

export function invictusRecords(): CloudTrailEvent[] {
  return invictusFiles().flatMap(
    ([, body]) => (JSON.parse(body.toString()) as { Records: CloudTrailEvent[] }).Records,
  );
}

export async function importAndWait(ct: CloudTrailClient, app: OpenTrail, storeArn: string, uri: string) {
  const started = await ct.send(
    new StartImportCommand({
      Destinations: [storeArn],
      ImportSource: {
        S3: {
          S3LocationUri: uri,
          S3BucketRegion: "us-east-1",
          S3BucketAccessRoleArn: `arn:aws:iam::${ADMIN.accountId}:role/Import`,
        },
      },
    }),
  );
  await app.lake.runtime.imports.settled(started.ImportId as string);
  return ct.send(new GetImportCommand({ ImportId: started.ImportId }));
}

/** The AWS CLI (v1) against a server, with only the given credentials and no config files. */
export function awsCli(url: string, dir: string, creds = ADMIN) {
  const config = join(dir, "aws-config");
  writeFileSync(config, "[default]\nregion = us-east-1\n");
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
    AWS_ENDPOINT_URL: url,
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_DEFAULT_REGION: "us-east-1",
  };
  const run = promisify(execFile);
  return async (...args: string[]) => {
    try {
      const r = await run("aws", args, { env, timeout: 60_000, maxBuffer: 1 << 24 });
      return { ...r, code: 0 };
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; code?: number };
      return { stdout: err.stdout ?? "", stderr: err.stderr ?? "", code: err.code ?? 1 };
    }
  };
}

/** Asserts that an SDK call fails with `name` (and a message matching `message`). */
export const rejects = (p: Promise<unknown>, name: string, message?: RegExp) =>
  assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });

/** A policy document: statements of `{Principal: {AWS: principals}, Action, Resource}`. */
export function policyOf(resource: string, principals: string[], actions: string[], extra = {}): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      Object.assign(
        { Effect: "Allow", Principal: { AWS: principals }, Action: actions, Resource: resource },
        extra,
      ),
    ],
  });
}

/** A server over a data folder that outlives it (`start` again to restart); `remove` when done. */
export function restartableServer() {
  const dir = tempDir();
  const config = resolveConfig(
    { port: 0, host: "127.0.0.1", data: join(dir.path, "data"), identities: writeIdentitiesFile(dir.path) },
    { OPENTRAIL_LOG_LEVEL: "silent" },
  );
  return { dir, start: (): Promise<OpenTrail> => startOpenTrail(config, silentLogger) };
}
