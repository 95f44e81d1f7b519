/**
 * One call through the gateway: recognise the operation from the service's model, forward it,
 * read what the record needs from the answer, make the record durable, then answer. The
 * caller never gets an answer whose record is not in the log: an upstream that is down or
 * silent is answered 502/504 after its failure is recorded, and a record that cannot be
 * written turns the answer into a 500. Error bodies (small) and the output of mutating calls
 * (up to 1 MiB) are buffered to be read; everything else streams straight through.
 */
import { PassThrough, pipeline, type Readable } from "node:stream";
import type { Logger } from "../config/logger.js";
import { AwsError, CommonErrors } from "../protocol/errors.js";
import { contentHashMismatch } from "../protocol/sigv4-parse.js";
import type { EventSink } from "../recorder/event-sink.js";
import type { RawRequest, RawResponse } from "../server/raw-http.js";
import type { RequestContext } from "../server/request-context.js";
import type { WireFormat } from "../server/wire-errors.js";
import { AwsChunkedDecoder, BodyMeter } from "./body-streams.js";
import { type CallRecord, gatewayEvent, hasOutput } from "./gateway-event.js";
import { type Recognized, recognize } from "./recognize.js";
import { recordRefused } from "./refused-call.js";
import type { ServiceModel } from "./service-models.js";
import { type CallFacts, classify, rulesFor } from "./service-rules.js";
import { type Upstream, UpstreamFailure, type UpstreamResponse } from "./upstream.js";
import { parseUpstreamError } from "./upstream-error.js";
import { readInput, readOutput } from "./wire-values.js";

export interface GatewayService {
  /** Signing name. */
  service: string;
  /** How the edge writes this service's errors (from its model's protocol). */
  format: WireFormat;
  models: ServiceModel[];
  upstream: Upstream;
  sink: EventSink;
  logger: Logger;
}

const ERROR_BODY_LIMIT = 64 * 1024;
const OUTPUT_LIMIT = 1024 * 1024;
const SMALL_BODY = 64 * 1024;
const HEX = /^[0-9a-f]{64}$/i;

interface OutgoingBody {
  body: Buffer | Readable;
  contentLength?: number;
  payloadHash?: string;
  headers: Record<string, string>;
  meter?: BodyMeter;
}

function outgoingBody(raw: RawRequest, resigns: boolean, sourceIp: string): OutgoingBody {
  const declared = raw.headers["x-amz-content-sha256"];
  // Object.assign, not spread: this runs on every call, and spread is slow once transpiled.
  const headers: Record<string, string> = Object.assign({}, raw.headers, { "x-forwarded-for": sourceIp });
  const length = raw.headers["content-length"];
  let out: OutgoingBody = { body: raw.body, headers };
  if (raw.stream) {
    const meter = new BodyMeter(declared && HEX.test(declared) ? declared : undefined);
    const body = pipeline(raw.stream, meter, () => undefined);
    out = { body, headers, meter, contentLength: length === undefined ? undefined : Number(length) };
  }
  if (!resigns || !declared) return out;
  if (!declared.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD"))
    return Object.assign(out, { payloadHash: declared });
  // Chunks signed by the client cannot carry our signature: forward the plain bytes unsigned.
  const source = Buffer.isBuffer(out.body) ? PassThrough.from([out.body]) : out.body;
  const decoded = pipeline(source, new AwsChunkedDecoder(), () => undefined);
  const { "x-amz-decoded-content-length": plain, "x-amz-trailer": _t, ...rest } = headers;
  const encoding = (rest["content-encoding"] ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e && e !== "aws-chunked");
  if (encoding.length > 0) rest["content-encoding"] = encoding.join(", ");
  else delete rest["content-encoding"];
  return {
    body: decoded,
    headers: rest,
    meter: out.meter,
    contentLength: plain === undefined ? undefined : Number(plain),
    payloadHash: "UNSIGNED-PAYLOAD",
  };
}

function failureError(svc: GatewayService, e: unknown): AwsError {
  const kind = e instanceof UpstreamFailure ? e.kind : "unreachable";
  if (kind === "payload") return contentHashMismatch(svc.service);
  if (kind === "timeout")
    return new AwsError(
      "GatewayTimeout",
      `The upstream for '${svc.service}' did not answer within ${svc.upstream.timeoutMs / 1000} s.`,
      504,
    );
  return new AwsError("BadGateway", `The upstream for '${svc.service}' could not be reached.`, 502);
}

/** Reads up to `limit` bytes; `rest` is set (and streams everything) when the body is longer. */
function readUpTo(body: Readable, limit: number): Promise<{ head: Buffer; rest?: Readable }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onEnd = () =>
      resolve({ head: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) });
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size <= limit) return;
      body.off("data", onData);
      body.off("end", onEnd);
      body.pause();
      const rest = new PassThrough();
      rest.write(Buffer.concat(chunks));
      pipeline(body, rest, () => undefined);
      resolve({ head: Buffer.alloc(0), rest });
    };
    body.on("data", onData);
    body.once("end", onEnd);
    body.once("error", reject);
  });
}

function requestIdOf(headers: Record<string, string>, fallback: string): string {
  return headers["x-amzn-requestid"] ?? headers["x-amz-request-id"] ?? fallback;
}

export async function handleGatewayCall(
  svc: GatewayService,
  raw: RawRequest,
  ctx: RequestContext,
): Promise<RawResponse> {
  const rec = recognize(svc.models, raw);
  if (!rec) {
    raw.stream?.destroy();
    // Refused, never forwarded: recorded like a failed authentication, when it names an operation.
    const error = CommonErrors.unknownOperation(`for ${svc.service}: ${raw.method} ${raw.rawPath}`);
    await recordRefused(svc, raw, { ...ctx, error, accessKeyId: ctx.principal.accessKeyId }).catch((e) =>
      svc.logger.error("refused call not recorded", { requestId: ctx.requestId, error: String(e) }),
    );
    throw error;
  }
  const rules = rulesFor(rec.model.metadata.endpointPrefix);
  const facts: CallFacts = {
    operation: rec.operation,
    input: readInput(rec, raw.query, raw.headers, raw.stream ? undefined : raw.body),
    region: ctx.region,
    accountId: ctx.principal.accountId,
    query: raw.query,
    host: raw.headers.host,
  };
  const call: CallRecord = {
    rec,
    rules,
    cls: classify(rules, rec.operation),
    facts,
    principal: ctx.principal,
    receivedAt: ctx.receivedAt,
    sourceIPAddress: ctx.sourceIPAddress,
    userAgent: ctx.userAgent,
    requestId: ctx.requestId,
    bytesIn: raw.body.length,
    bytesOut: 0,
    presigned: raw.query.has("X-Amz-Signature"),
  };
  const outgoing = outgoingBody(raw, svc.upstream.resigns, ctx.sourceIPAddress);
  let res: UpstreamResponse;
  try {
    res = await svc.upstream.forward({
      method: raw.method,
      path:
        rec.hostBucket === undefined ? raw.rawPath : `/${encodeURIComponent(rec.hostBucket)}${raw.rawPath}`,
      query: raw.query,
      headers: outgoing.headers,
      body: outgoing.body,
      contentLength: outgoing.contentLength,
      payloadHash: outgoing.payloadHash,
      service: svc.service,
      region: ctx.region,
    });
  } catch (e) {
    const err = failureError(svc, e);
    svc.logger.warn("upstream call failed", {
      requestId: ctx.requestId,
      service: svc.service,
      error: String(e),
    });
    call.error = { code: err.code, message: err.message };
    call.bytesIn = outgoing.meter?.bytes ?? call.bytesIn;
    await record(svc, call);
    throw err;
  }
  return answer(svc, call, res, raw.method, outgoing.meter);
}

async function answer(
  svc: GatewayService,
  call: CallRecord,
  res: UpstreamResponse,
  method: string,
  meter?: BodyMeter,
): Promise<RawResponse> {
  call.requestId = requestIdOf(res.headers, call.requestId);
  call.responseHeaders = res.headers;
  call.bytesIn = meter?.bytes ?? call.bytesIn;
  const head = method.toUpperCase() === "HEAD" || res.status === 204 || res.status === 304;
  let body: Buffer | Readable | undefined = head ? undefined : res.body;
  if (head) res.body.resume();
  if (res.status >= 400 && body) {
    const { head: text, rest } = await readUpTo(res.body, ERROR_BODY_LIMIT);
    call.error = rest
      ? parseUpstreamError(res.status, res.headers, Buffer.alloc(0))
      : parseUpstreamError(res.status, res.headers, text);
    body = rest ?? text;
  } else if (res.status >= 400) {
    call.error = parseUpstreamError(res.status, res.headers, Buffer.alloc(0));
  } else if (body && !call.cls.readOnly && !call.rules.responseElements && hasOutput(call.rec)) {
    const { head: text, rest } = await readUpTo(res.body, OUTPUT_LIMIT);
    if (!rest) call.output = readOutput(call.rec, res.headers, text);
    body = rest ?? text;
  } else if (body && Number(res.headers["content-length"] ?? Number.NaN) <= SMALL_BODY) {
    // A small answer is read whole, to leave in one write with its headers. The record does
    // not need it (its length is declared), so it is made durable while the body arrives.
    call.bytesOut = Number(res.headers["content-length"]);
    const durable = record(svc, call);
    const read = readUpTo(res.body, SMALL_BODY);
    const [, { head: text, rest }] = await Promise.all([durable, read]).catch((e) => {
      res.body.destroy();
      read.catch(() => undefined);
      durable.catch(() => undefined);
      throw e;
    });
    return { status: res.status, headers: res.headers, body: rest ?? text };
  }
  call.bytesOut = Buffer.isBuffer(body) ? body.length : Number(res.headers["content-length"] ?? 0);
  try {
    await record(svc, call);
  } catch (e) {
    if (body && !Buffer.isBuffer(body)) body.destroy();
    throw e;
  }
  return { status: res.status, headers: res.headers, body };
}

/** Durable before the caller hears anything; a failure is an InternalFailure answer. */
async function record(svc: GatewayService, call: CallRecord): Promise<void> {
  try {
    await svc.sink.record(gatewayEvent(call));
  } catch (e) {
    svc.logger.error("gateway call could not be recorded", { requestId: call.requestId, error: String(e) });
    throw CommonErrors.internal();
  }
}

export type { Recognized };
