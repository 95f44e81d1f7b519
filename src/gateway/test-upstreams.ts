/**
 * Real upstreams for the gateway's tests, each started on a free loopback port by the test
 * and stopped in its `after`: dynalite (DynamoDB, JSON 1.0), kinesalite (Kinesis, JSON 1.1),
 * s3rver (S3, REST-XML; checks signatures made with S3RVER/S3RVER), sqslite (SQS, query).
 */
import { mkdtempSync, rmSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import dynalite from "dynalite";
import kinesalite from "kinesalite";
import S3rver from "s3rver";
import sqslite from "sqslite";

export interface RunningUpstream {
  url: string;
  stop(): Promise<void>;
}

async function listen(server: Server): Promise<RunningUpstream> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const startDynalite = () => listen(dynalite({ createTableMs: 0, deleteTableMs: 0 }));
export const startKinesalite = () => listen(kinesalite({ createStreamMs: 0, deleteStreamMs: 0 }));

export async function startS3rver(): Promise<RunningUpstream> {
  const dir = mkdtempSync(join(tmpdir(), "opentrail-s3rver-"));
  const server = new S3rver({
    port: 0,
    address: "127.0.0.1",
    silent: true,
    directory: dir,
    resetOnClose: true,
  });
  const { port } = await server.run();
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** sqslite only accepts queue URLs on `localhost`, which it builds from the Host header. */
export async function startSqslite(): Promise<RunningUpstream> {
  const app = sqslite({ logger: false });
  const url = new URL(await app.listen(0, "localhost"));
  return { url: `http://localhost:${url.port}`, stop: () => app.close() };
}

/** s3rver's fixed credentials, for re-signing. */
export const S3RVER_KEYS = "accessKeyId=S3RVER,secretAccessKey=S3RVER";
