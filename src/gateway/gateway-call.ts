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
import { isSignedStreaming } from "../protocol/sigv4-chunks.js";
import { contentHashMismatch } from "../protocol/sigv4-parse.js";
import type { EventSink } from "../recorder/event-sink.js";
import { decodeAwsChunked } from "../s3/aws-chunked.js";
import { S3Errors } from "../s3/errors.js";
import type { RawRequest, RawResponse } from "../server/raw-http.js";
import type { RequestContext } from "../server/request-context.js";
import type { WireFormat } from "../server/wire-errors.js";
import { BodyMeter, ChunkSignatureMismatch, MalformedChunkedBody, SignedChunks } from "./body-streams.js";
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
  meter?: { bytes: number };
  /** Signed chunks: settles once the body has verified, or with why it did not. */
  checked?: Promise<Error | undefined>;
}

function outgoingBody(raw: RawRequest, resigns: boolean, sourceIp: string): OutgoingBody {
  const declared = raw.headers["x-amz-content-sha256"];
  // Object.assign, not spread: this runs on every call, and spread is slow once transpiled.
  const headers: Record<string, string> = Object.assign({}, raw.headers, { "x-forwarded-for": sourceIp });
  const length = raw.headers["content-length"];
  if (isSignedStreaming(declared)) return signedChunks(raw, headers, resigns);
  let out: OutgoingBody = { body: raw.body, headers };
  if (raw.stream) {
    const meter = new BodyMeter(declared && HEX.test(declared) ? declared : undefined);
    const body = pipeline(raw.stream, meter, () => undefined);
    out = { body, headers, meter, contentLength: length === undefined ? undefined : Number(length) };
  }
  if (!resigns || !declared) return out;
  return Object.assign(out, { payloadHash: declared });
}

/**
 * A body of signed chunks has every signature checked before it goes upstream. Re-signed, it
 * is forwarded decoded and unsigned (the client's chunks cannot carry our signature); passed
 * through, as sent. A body read whole is checked whole, so a bad one never reaches the
 * upstream; a streamed one is checked chunk by chunk on its way (SignedChunks).
 */
function signedChunks(raw: RawRequest, headers: Record<string, string>, resigns: boolean): OutgoingBody {
  // Nothing verified a seed to chain from (a presigned URL, say): the chunks cannot be checked.
  if (!raw.chunkSigning) throw S3Errors.signatureDoesNotMatch();
  const plain = headers["x-amz-decoded-content-length"];
  const plainLength = plain === undefined ? undefined : Number(plain);
  let out: OutgoingBody;
  if (raw.stream) {
    const chunks = new SignedChunks(raw.chunkSigning, !resigns);
    const source = raw.stream;
    source.pipe(chunks);
    source.once("error", (e) => chunks.destroy(e));
    // A body refused (or no longer wanted upstream) is not forwarded, but read to its end:
    // the caller then hears the answer on a connection that stays usable, not a reset.
    chunks.once("close", () => {
      if (source.readableEnded) return;
      source.unpipe(chunks);
      source.resume();
    });
    const length = raw.headers["content-length"];
    out = { body: chunks, headers, meter: chunks, checked: chunks.checked };
    if (!resigns) out.contentLength = length === undefined ? undefined : Number(length);
  } else {
    // Decoded in place, as the built-in store does; passed through, a copy is checked.
    const decoded = decodeAwsChunked(
      resigns ? raw.body : Buffer.from(raw.body),
      plainLength,
      raw.chunkSigning,
    );
    out = { body: resigns ? decoded.body : raw.body, headers };
  }
  if (!resigns) return out;
  const { "x-amz-decoded-content-length": _p, "x-amz-trailer": _t, ...rest } = headers;
  const encoding = (rest["content-encoding"] ?? "")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e && e !== "aws-chunked");
  if (encoding.length > 0) rest["content-encoding"] = encoding.join(", ");
  else delete rest["content-encoding"];
  return Object.assign(out, {
    headers: rest,
    contentLength: raw.stream ? plainLength : undefined,
    payloadHash: "UNSIGNED-PAYLOAD",
  });
}

/** Why a body of signed chunks was refused, as S3 answers it; undefined: it was not. */
function chunksRefusal(failure: Error | undefined): AwsError | undefined {
  if (failure instanceof ChunkSignatureMismatch) return S3Errors.signatureDoesNotMatch();
  if (failure instanceof MalformedChunkedBody)
    return failure.incomplete ? S3Errors.incompleteBody() : S3Errors.invalidRequest(failure.message);
  return undefined;
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
  let outgoing: OutgoingBody | undefined;
  let res: UpstreamResponse;
  try {
    outgoing = outgoingBody(raw, svc.upstream.resigns, ctx.sourceIPAddress);
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
    let err: AwsError | undefined;
    if (!outgoing) {
      // Signed chunks refused before anything was sent: nothing to check them with, or a body
      // read whole that did not verify.
      raw.stream?.resume();
      if (!(e instanceof AwsError)) throw e;
      err = e;
    } else {
      // A refused body ends the exchange (the upstream request is destroyed short of its
      // length); the refusal, not the broken exchange, is what the caller hears.
      if (outgoing.checked && !Buffer.isBuffer(outgoing.body)) outgoing.body.destroy();
      err = chunksRefusal(await outgoing.checked);
      call.bytesIn = outgoing.meter?.bytes ?? call.bytesIn;
    }
    if (!err) {
      err = failureError(svc, e);
      svc.logger.warn("upstream call failed", {
        requestId: ctx.requestId,
        service: svc.service,
        error: String(e),
      });
    }
    call.error = { code: err.code, message: err.message };
    await record(svc, call);
    throw err;
  }
  if (outgoing.checked) {
    // An upstream may answer before the body has all arrived; the caller hears nothing until
    // it has verified, so a refused body is never answered with the upstream's success.
    const failure = await outgoing.checked;
    // Nor with a success for a body it stopped reading before the end (an upstream may close
    // after answering): what was not read was not checked.
    const refusal =
      chunksRefusal(failure) ?? (failure && res.status < 400 ? failureError(svc, failure) : undefined);
    if (refusal) {
      res.body.destroy();
      call.error = { code: refusal.code, message: refusal.message };
      call.bytesIn = outgoing.meter?.bytes ?? call.bytesIn;
      await record(svc, call);
      throw refusal;
    }
  }
  return answer(svc, call, res, raw.method, outgoing.meter);
}

async function answer(
  svc: GatewayService,
  call: CallRecord,
  res: UpstreamResponse,
  method: string,
  meter?: { bytes: number },
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
