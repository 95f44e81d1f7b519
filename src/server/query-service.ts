import type { Logger } from "../config/logger.js";
import type { StsService } from "../iam/index.js";
import {
  decodeQueryRequest,
  QUERY_RESPONSE_CONTENT_TYPE,
  serializeQueryError,
  serializeQueryResponse,
} from "../protocol/aws-query.js";
import type { EventSink } from "../recorder/event-sink.js";
import { toAwsError } from "./json-service.js";
import type { RawRequest, RawResponse } from "./raw-http.js";
import { recordCall } from "./record-call.js";
import type { RequestContext } from "./request-context.js";

/**
 * The query protocol (STS): Action and parameters from a POST form body or a GET query string,
 * XML answers. Every call with a known action is recorded before the answer, like JSON calls.
 */
export async function dispatchQuery(
  service: StsService,
  req: RawRequest,
  ctx: RequestContext,
  sink: EventSink,
  logger: Logger,
): Promise<RawResponse> {
  const headers = { "content-type": QUERY_RESPONSE_CONTENT_TYPE, "x-amzn-requestid": ctx.requestId };
  let operation: string | undefined;
  let input: Record<string, unknown> = {};
  try {
    const source = req.method === "GET" ? req.query : req.body;
    const decoded = decodeQueryRequest(source, service.protocol);
    operation = decoded.action;
    input = decoded.input;
    const output = await service.handle(operation, input, ctx);
    await recordCall(sink, service.audit, ctx, { operation, input, output });
    return {
      status: 200,
      headers,
      body: Buffer.from(serializeQueryResponse(operation, output, ctx.requestId, service.protocol)),
    };
  } catch (e) {
    const err = toAwsError(e, ctx, logger);
    if (operation && err.code !== "InvalidAction") {
      await recordCall(sink, service.audit, ctx, { operation, input, error: err });
    }
    return {
      status: err.status,
      headers,
      body: Buffer.from(serializeQueryError(err, ctx.requestId, service.protocol)),
    };
  }
}
