import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../config/logger.js";
import type { Principal } from "../iam/principal.js";
import { AwsError, CommonErrors } from "../protocol/errors.js";
import { signingScope, verifySigV4 } from "../protocol/sigv4.js";
import { sourceIPAddress, type TrustedProxies } from "./client-address.js";
import type { RawRequest, RawResponse } from "./raw-http.js";
import { readBody } from "./read-body.js";
import type { RequestContext } from "./request-context.js";
import type { ServiceEndpoint } from "./service-endpoint.js";
import { errorResponse, type WireFormat } from "./wire-errors.js";

export interface CredentialLookup {
  lookupAccessKey(
    accessKeyId: string,
  ): { secretAccessKey: string; sessionToken?: string; expiration?: Date; principal: Principal } | undefined;
}

export interface EdgeOptions {
  services: Record<string, ServiceEndpoint>;
  identities: CredentialLookup;
  logger: Logger;
  health(): Record<string, unknown>;
  clock?: () => Date;
  /** Peers whose X-Forwarded-For is believed (reverse proxies in front of OpenTrail). */
  trustedProxies?: TrustedProxies;
  /** Static files (the web console) for unsigned GET/HEAD requests; undefined: not one. */
  staticFiles?: (path: string, headers: Record<string, string>) => RawResponse | undefined;
}

const EMPTY = Buffer.alloc(0);
/** Stands for the URL "/" (its searchParams are never read: each request gets its own). */
const ROOT = { pathname: "/", searchParams: new URLSearchParams() } as const;

/**
 * The HTTP edge: routes each request by its SigV4 signing name, verifies the signature, and
 * hands a RequestContext to the service. Everything a client can get wrong here is answered
 * in the called service's own error format; nothing escapes as a crash.
 */
export function createEdge(opts: EdgeOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const requestId = randomUUID();
    handle(opts, req, requestId)
      .then((r) => send(res, r))
      .catch((e) => {
        opts.logger.error("unhandled edge failure", {
          requestId,
          error: e instanceof Error ? e.stack : String(e),
        });
        send(res, errorResponse("json", CommonErrors.internal(), requestId));
      });
  };
}

async function handle(opts: EdgeOptions, req: IncomingMessage, requestId: string): Promise<RawResponse> {
  // Every JSON and query API call is a POST to "/": no URL to parse then.
  const url = req.url === "/" ? ROOT : new URL(req.url ?? "/", "http://localhost");
  const headers = flattenHeaders(req);
  if (
    (req.method === "GET" || req.method === "HEAD") &&
    url.pathname === "/health" &&
    !headers.authorization
  ) {
    return {
      status: 200,
      headers: { "content-type": "application/json" },
      body: Buffer.from(JSON.stringify(opts.health())),
    };
  }
  if (
    opts.staticFiles &&
    (req.method === "GET" || req.method === "HEAD") &&
    !headers.authorization &&
    !url.searchParams.has("X-Amz-Credential")
  ) {
    const file = opts.staticFiles(url.pathname, headers);
    if (file) return file;
  }
  const scope = signingScope(headers, url.searchParams);
  const service = scope ? opts.services[scope.service] : undefined;
  const format: WireFormat = service?.format ?? guessFormat(req, headers);
  const raw: RawRequest = {
    method: req.method ?? "GET",
    rawPath: (req.url ?? "/").split("?")[0] ?? "/",
    query: url === ROOT ? new URLSearchParams() : url.searchParams,
    headers,
    body: EMPTY,
  };
  // A streaming endpoint (the audit gateway) takes large bodies unread; the signature then
  // covers the declared payload hash and the endpoint checks a hex hash while it streams.
  const streaming = service?.streamsBody?.(raw) ?? false;
  const now = opts.clock?.() ?? new Date();
  const sourceIp = sourceIPAddress(req, opts.trustedProxies);
  let ctx: RequestContext;
  let endpoint: ServiceEndpoint;
  try {
    if (!scope) throw CommonErrors.missingAuthenticationToken();
    if (!service)
      throw new AwsError(
        "UnknownServiceException",
        `OpenTrail does not serve the service '${scope.service}' and no upstream is configured for it (opentrail serve --upstream ${scope.service}=URL).`,
        400,
      );
    endpoint = service;
    if (streaming) raw.stream = req;
    else raw.body = await readBody(req, service.maxBodyBytes);
    let creds: ReturnType<CredentialLookup["lookupAccessKey"]>;
    const verified = await verifySigV4(raw, (id) => (creds = opts.identities.lookupAccessKey(id)), {
      now,
      maxSkewMs: service.clockSkewSeconds * 1000,
      uriEscapePath: service.uriEscapePath,
      deferPayloadCheck: streaming,
    });
    const principal = creds?.principal;
    if (!principal) throw CommonErrors.unrecognizedClient();
    if (verified.chunkSigning) raw.chunkSigning = verified.chunkSigning;
    ctx = {
      requestId,
      principal,
      region: verified.region,
      service: verified.service,
      sourceIPAddress: sourceIp,
      userAgent: headers["user-agent"] ?? "",
      receivedAt: now,
      host: headers.host,
    };
  } catch (e) {
    if (!(e instanceof AwsError)) throw e;
    if (scope && service?.rejected) {
      await service
        .rejected(raw, {
          requestId,
          error: e,
          accessKeyId: scope.accessKeyId,
          region: scope.region,
          principal: opts.identities.lookupAccessKey(scope.accessKeyId)?.principal,
          sourceIPAddress: sourceIp,
          userAgent: headers["user-agent"] ?? "",
          receivedAt: now,
          host: headers.host,
        })
        .catch((err) => opts.logger.error("refused call not recorded", { requestId, error: String(err) }));
    }
    const refused = errorResponse(format, e, requestId);
    // An unread streamed body is not drained: the connection is closed instead.
    if (streaming) refused.headers.connection = "close";
    return refused;
  }
  try {
    return await endpoint.handle(raw, ctx);
  } catch (e) {
    if (e instanceof AwsError) return errorResponse(format, e, requestId);
    throw e;
  }
}

function guessFormat(req: IncomingMessage, headers: Record<string, string>): WireFormat {
  if (headers["x-amz-target"]) return "json";
  if ((headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) return "query";
  return req.method === "POST" && (req.url ?? "/") === "/" ? "json" : "s3";
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const all = req.headers;
  for (const k in all) {
    const v = all[k];
    if (v !== undefined) out[k] = Array.isArray(v) ? v.join(",") : v;
  }
  return out;
}

function send(res: ServerResponse, r: RawResponse): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = r.body;
  if (r.status === 413) r.headers.connection = "close";
  if (body === undefined || Buffer.isBuffer(body)) {
    // A HEAD answer keeps the length the service declared for the body it does not send.
    const length = body ? String(body.length) : (r.headers["content-length"] ?? "0");
    res.writeHead(r.status, Object.assign({}, r.headers, { "content-length": length }));
    res.end(body, r.release);
    return;
  }
  res.writeHead(r.status, r.headers);
  body.on("error", () => res.destroy());
  body.pipe(res);
}
