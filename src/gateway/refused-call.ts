/**
 * Calls refused before they reach an upstream (authentication failures, operations the model
 * does not have) are recorded under the identity the access key names and the operation the
 * request named, with the error code the caller saw in the service's own spelling. A request
 * whose key is unknown, or that names no operation, has nothing to attribute and is not
 * recorded.
 */
import type { RawRequest } from "../server/raw-http.js";
import type { RejectedCall } from "../server/service-endpoint.js";
import { errorResponse } from "../server/wire-errors.js";
import type { GatewayService } from "./gateway-call.js";
import { gatewayEvent } from "./gateway-event.js";
import { claimedOperation, recognize } from "./recognize.js";
import { type CallFacts, classify, rulesFor } from "./service-rules.js";
import { parseUpstreamError } from "./upstream-error.js";
import { readInput } from "./wire-values.js";

export async function recordRefused(svc: GatewayService, raw: RawRequest, call: RejectedCall): Promise<void> {
  if (!call.principal) return;
  const rec = recognize(svc.models, raw);
  const model = rec?.model ?? svc.models[0];
  const operation = rec?.operation ?? claimedOperation(raw);
  if (!model || !operation) return;
  const rules = rulesFor(model.metadata.endpointPrefix);
  const facts: CallFacts = {
    operation,
    input: rec ? readInput(rec, raw.query, raw.headers, raw.stream ? undefined : raw.body) : {},
    region: call.region,
    accountId: call.principal.accountId,
    query: raw.query,
    host: call.host,
  };
  // The code the caller saw, in the called service's own spelling (S3: SignatureDoesNotMatch).
  const seen = errorResponse(svc.format, call.error, call.requestId);
  const error = parseUpstreamError(
    seen.status,
    seen.headers,
    Buffer.isBuffer(seen.body) ? seen.body : Buffer.alloc(0),
  );
  await svc.sink.record(
    gatewayEvent({
      rec: rec ?? { model, operation, op: {}, protocol: "json", labels: {} },
      rules,
      cls: classify(rules, operation),
      facts,
      principal: call.principal,
      receivedAt: call.receivedAt,
      sourceIPAddress: call.sourceIPAddress,
      userAgent: call.userAgent,
      requestId: call.requestId,
      error: { code: error.code, message: error.message || call.error.message },
      bytesIn: 0,
      bytesOut: 0,
      presigned: raw.query.has("X-Amz-Signature"),
    }),
  );
}
