import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import type { Principal } from "../iam/principal.js";
import type { EventDraft, EventSink } from "../recorder/event-sink.js";
import type { RawRequest, RawResponse } from "../server/raw-http.js";
import type { RequestContext } from "../server/request-context.js";
import { createS3Service, type S3Service } from "./service.js";

/** Test doubles and a tiny HTTP adapter (no SigV4) around `handle()`, for tests and the bench. */
export class MemorySink implements EventSink {
  readonly events: CloudTrailEvent[] = [];
  async record(draft: EventDraft): Promise<CloudTrailEvent> {
    const event = {
      ...draft,
      eventVersion: "1.11",
      eventID: randomBytes(16).toString("hex"),
      eventTime: new Date(draft.eventTime ?? Date.now()).toISOString(),
    } as CloudTrailEvent;
    this.events.push(event);
    return event;
  }
  named(name: string): CloudTrailEvent[] {
    return this.events.filter((e) => e.eventName === name);
  }
  last(): CloudTrailEvent | undefined {
    return this.events[this.events.length - 1];
  }
}

export function principal(accountId: string, name: string, extra: Partial<Principal> = {}): Principal {
  return {
    type: "IAMUser",
    accountId,
    arn: `arn:aws:iam::${accountId}:user/${name}`,
    principalId: `AIDA${name.toUpperCase().padEnd(17, "X")}`,
    accessKeyId: `AKIA${name.toUpperCase().padEnd(16, "X")}`,
    userName: name,
    admin: false,
    ...extra,
  };
}

export const OWNER = principal("111122223333", "alice", { admin: true });
export const OWNER_USER = principal("111122223333", "bob");
export const OWNER_ROOT: Principal = {
  type: "Root",
  accountId: "111122223333",
  arn: "arn:aws:iam::111122223333:root",
  principalId: "111122223333",
  accessKeyId: "AKIAROOTROOTROOTROOT",
  admin: true,
};
export const OTHER = principal("444455556666", "mallory");

export function context(p: Principal, host = "127.0.0.1"): RequestContext {
  return {
    requestId: randomBytes(8).toString("hex").toUpperCase(),
    principal: p,
    region: "us-east-1",
    service: "s3",
    sourceIPAddress: "10.0.0.7",
    userAgent: "test-agent/1.0",
    receivedAt: new Date(),
    host,
  };
}

export interface Fixture {
  dir: string;
  sink: MemorySink;
  service: S3Service;
  close(): Promise<void>;
}

export function makeFixture(): Fixture {
  const dir = mkdtempSync(join(tmpdir(), "opentrail-s3-"));
  const sink = new MemorySink();
  const service = createS3Service({ dataDir: dir, sink, defaultRegion: "us-east-1" });
  return {
    dir,
    sink,
    service,
    async close() {
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A RawRequest for `METHOD /path?query` (path already percent-encoded). */
export function raw(
  method: string,
  target: string,
  init: { headers?: Record<string, string>; body?: Buffer | string } = {},
): RawRequest {
  const [path = "/", query = ""] = target.split("?", 2);
  const body = typeof init.body === "string" ? Buffer.from(init.body) : (init.body ?? Buffer.alloc(0));
  const headers: Record<string, string> = { host: "127.0.0.1:9000" };
  for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v;
  return { method, rawPath: path, query: new URLSearchParams(query), headers, body };
}

export async function bodyText(res: RawResponse): Promise<string> {
  if (res.body === undefined) return "";
  if (Buffer.isBuffer(res.body)) return res.body.toString("utf8");
  const chunks: Buffer[] = [];
  for await (const c of res.body) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, r: RawResponse): void {
  res.writeHead(r.status, r.headers);
  if (r.body instanceof Readable) r.body.pipe(res);
  else res.end(r.body, r.release);
}

/** Serves `handle()` over HTTP with a fixed principal; signatures are ignored. */
export async function startAdapter(
  service: S3Service,
  who: () => Principal,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? "/", "http://localhost");
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers))
          if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(",") : v;
        const rawPath = (req.url ?? "/").split("?", 1)[0] ?? "/";
        const raw: RawRequest = {
          method: req.method ?? "GET",
          rawPath,
          query: url.searchParams,
          headers,
          body: Buffer.alloc(0),
        };
        // As the edge does: object uploads are handed over unread, everything else buffered.
        if (service.streamsBody(raw)) raw.stream = req;
        else raw.body = await readAll(req);
        const ctx = { ...context(who(), headers.host), userAgent: headers["user-agent"] ?? "" };
        send(res, await service.handle(raw, ctx));
      } catch (e) {
        res.writeHead(500).end(String(e));
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
