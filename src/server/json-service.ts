import type { Logger } from "../config/logger.js";
import {
  EncodedJsonOutput,
  encodeJsonError,
  encodeJsonOutput,
  jsonContentType,
  parseJsonRequest,
  targetOperation,
} from "../protocol/aws-json.js";
import { AwsError, CommonErrors } from "../protocol/errors.js";
import type { ServiceModel } from "../protocol/service-model.js";
import type { EventSink } from "../recorder/event-sink.js";
import type { RawRequest, RawResponse } from "./raw-http.js";
import { recordCall } from "./record-call.js";
import type { Handler, RequestContext } from "./request-context.js";
import type { ServiceAudit } from "./service-audit.js";

// biome-ignore lint/suspicious/noExplicitAny: handler tables hold each operation's own SDK types.
export type HandlerTable = Record<string, Handler<any, any>>;

export interface JsonService {
  model: ServiceModel;
  handlers: HandlerTable;
  /** Operations deliberately not implemented yet: they answer UnsupportedOperation (501). */
  notImplemented: ReadonlySet<string>;
  audit: ServiceAudit;
}

/**
 * Builds a JSON service and checks, at start-up, that every operation of the model is either
 * implemented or explicitly marked as not implemented, so no operation is forgotten silently.
 */
export function defineJsonService(
  model: ServiceModel,
  handlers: HandlerTable,
  notImplemented: readonly string[],
  audit: ServiceAudit,
): JsonService {
  const marked = new Set(notImplemented);
  for (const op of Object.keys(model.operations)) {
    if (!handlers[op] && !marked.has(op))
      throw new Error(`${model.metadata.serviceId}: operation ${op} has no handler`);
    if (handlers[op] && marked.has(op))
      throw new Error(`${model.metadata.serviceId}: ${op} is both implemented and marked`);
  }
  for (const op of [...Object.keys(handlers), ...marked]) {
    if (!model.operations[op])
      throw new Error(`${model.metadata.serviceId}: ${op} is not an operation of the model`);
  }
  return { model, handlers, notImplemented: marked, audit };
}

/** Decodes, dispatches, records, encodes. The record is durable before the response is sent. */
export async function dispatchJson(
  service: JsonService,
  req: RawRequest,
  ctx: RequestContext,
  sink: EventSink,
  logger: Logger,
): Promise<RawResponse> {
  const headers = { "content-type": jsonContentType(service.model), "x-amzn-requestid": ctx.requestId };
  let operation: string | undefined;
  let input: Record<string, unknown> = {};
  try {
    const target = req.headers["x-amz-target"];
    // Named even when the body is refused below, so that the refusal is recorded as this call.
    operation = targetOperation(service.model, target);
    ({ input } = parseJsonRequest(service.model, target, req.body));
    const op = operation as string; // parseJsonRequest refused unknown operations
    const handler = service.handlers[op];
    if (!handler) throw CommonErrors.notImplemented(op);
    const result = (await handler(input, ctx)) ?? {};
    const encoded = result instanceof EncodedJsonOutput ? result : undefined;
    const output = encoded ? undefined : (result as Record<string, unknown>);
    const recorded = recordCall(sink, service.audit, ctx, { operation: op, input, output });
    // The record's write starts in a microtask queued just now: let it start, then encode the
    // answer (a Lake results page can be hundreds of KB of JSON) while the record is being made
    // durable.
    await Promise.resolve();
    const body = encoded ? encoded.body : Buffer.from(encodeJsonOutput(output));
    await recorded;
    return { status: 200, headers, body };
  } catch (e) {
    const err = toAwsError(e, ctx, logger);
    if (operation) {
      const status =
        err.code === "UnsupportedOperationException" && !service.handlers[operation] ? 501 : err.status;
      await recordCall(sink, service.audit, ctx, { operation, input, error: err });
      return { status, headers, body: Buffer.from(encodeJsonError(err)) };
    }
    return { status: err.status, headers, body: Buffer.from(encodeJsonError(err)) };
  }
}

export function toAwsError(e: unknown, ctx: RequestContext, logger: Logger): AwsError {
  if (e instanceof AwsError) return e;
  logger.error("internal failure", {
    requestId: ctx.requestId,
    error: e instanceof Error ? e.stack : String(e),
  });
  return CommonErrors.internal();
}
