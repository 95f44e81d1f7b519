/**
 * The closed-loop HTTP load driver the API and gateway benches share: one pre-signed request
 * (`signJson`) replayed over keep-alive connections, so the client costs the same whatever
 * server answers.
 * `closedLoop` keeps `concurrency` callers busy for `seconds` (each sends its next call when
 * the last one is answered) and returns calls/s; `latencies` times calls one at a time.
 * Every answer must be a 200: a bench that counts failures as calls would flatter the server.
 */
import { Agent, request } from "node:http";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { ADMIN } from "../../src/test-support/fixtures.js";

export interface SignedRequest {
  headers: Record<string, string>;
  body: string;
}

/** An AWS JSON API, as a POST / names it. */
export interface JsonApi {
  /** SigV4 signing name. */
  service: string;
  /** X-Amz-Target is `${targetPrefix}.${operation}`. */
  targetPrefix: string;
  contentType: "application/x-amz-json-1.0" | "application/x-amz-json-1.1";
}

/** `operation` of `api` with `input`, signed once by the SDK's signer with the fixtures' admin key. */
export async function signJson(
  port: number,
  api: JsonApi,
  operation: string,
  input: unknown,
): Promise<SignedRequest> {
  const body = JSON.stringify(input);
  const signer = new SignatureV4({
    credentials: ADMIN,
    region: "us-east-1",
    service: api.service,
    sha256: Sha256,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: "POST",
      protocol: "http:",
      hostname: "127.0.0.1",
      port,
      path: "/",
      headers: {
        host: `127.0.0.1:${port}`,
        "content-type": api.contentType,
        "x-amz-target": `${api.targetPrefix}.${operation}`,
      },
      body,
    }),
  );
  return { headers: signed.headers as Record<string, string>, body };
}

/** Sends one POST / and resolves with its status once the whole answer is read. */
export function send(port: number, req: SignedRequest, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const r = request(
      { port, host: "127.0.0.1", method: "POST", path: "/", headers: req.headers, agent },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    r.on("error", reject);
    r.end(req.body);
  });
}

/**
 * Calls/s with `concurrency` callers for `seconds`. `count.n` accumulates the calls made, for a
 * caller that divides other figures (CPU time) by them. Throws if any call failed.
 */
export async function closedLoop(
  port: number,
  req: SignedRequest,
  seconds: number,
  concurrency: number,
  count: { n: number } = { n: 0 },
): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const end = Date.now() + seconds * 1000;
  let done = 0;
  let failed = 0;
  const start = Date.now();
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < end) {
          const status = await send(port, req, agent).catch(() => 0);
          if (status !== 200) failed++;
          done++;
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  if (failed > 0) throw new Error(`${failed} of ${done} bench calls failed`);
  count.n += done;
  return (done / (Date.now() - start)) * 1000;
}

/** Milliseconds of each of `n` calls made one after another on one kept-alive connection. */
export async function latencies(port: number, req: SignedRequest, n: number): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const out: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const t = performance.now();
      const status = await send(port, req, agent);
      out.push(performance.now() - t);
      if (status !== 200) throw new Error(`bench call answered ${status}`);
    }
  } finally {
    agent.destroy();
  }
  return out;
}
