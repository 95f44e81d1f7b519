/**
 * The audit gateway: one ServiceEndpoint per configured upstream, keyed by signing name, for
 * the edge to route to like any built-in service. The edge verifies SigV4 before `handle` is
 * called, so nothing unauthenticated is ever forwarded; refused requests come back through
 * `rejected` and are recorded when their access key names an identity.
 */
import type { UpstreamConfig } from "../config/config.js";
import type { Logger } from "../config/logger.js";
import type { EventSink } from "../recorder/event-sink.js";
import type { RawRequest } from "../server/raw-http.js";
import type { ServiceEndpoint } from "../server/service-endpoint.js";
import type { WireFormat } from "../server/wire-errors.js";
import { type GatewayService, handleGatewayCall } from "./gateway-call.js";
import { recordRefused } from "./refused-call.js";
import { ServiceModels } from "./service-models.js";
import { Upstream } from "./upstream.js";

export interface GatewayOptions {
  upstreams: UpstreamConfig[];
  timeoutSeconds: number;
  sink: EventSink;
  logger: Logger;
  models?: ServiceModels;
}

export interface Gateway {
  endpoints: Record<string, ServiceEndpoint>;
  close(): void;
}

export class GatewayConfigError extends Error {}

/** Signing names OpenTrail answers itself and never forwards (S3 may be replaced). */
const OWN_SERVICES = new Set(["cloudtrail", "cloudtrail-data", "sts"]);

/** JSON services' bodies are read whole to be recorded; AWS caps them well below this. */
const MAX_BUFFERED_BODY = 16 * 1024 * 1024;
/** REST bodies up to this size are buffered (and their hash checked before forwarding). */
const STREAM_ABOVE = 1024 * 1024;

function wireFormat(protocol: string): WireFormat {
  if (protocol === "json" || protocol === "rest-json") return "json";
  if (protocol === "rest-xml") return "s3";
  return "query";
}

function streamsBody(svc: GatewayService, head: RawRequest): boolean {
  const protocol = svc.models[0]?.metadata.protocol ?? "";
  if (!protocol.startsWith("rest-") || head.headers["x-amz-target"]) return false;
  if (!head.headers["x-amz-content-sha256"]) return false;
  const length = head.headers["content-length"];
  // No length: a chunked body of unknown size streams; no body at all is simply empty.
  if (length === undefined) return head.headers["transfer-encoding"] !== undefined;
  return Number(length) > STREAM_ABOVE;
}

export function createGateway(opts: GatewayOptions): Gateway {
  const models = opts.models ?? (opts.upstreams.length > 0 ? new ServiceModels() : undefined);
  const upstreams: Upstream[] = [];
  const endpoints: Record<string, ServiceEndpoint> = {};
  for (const config of opts.upstreams) {
    if (OWN_SERVICES.has(config.service))
      throw new GatewayConfigError(`'${config.service}' is OpenTrail's own API and cannot be sent upstream`);
    const forService = models?.forSigningName(config.service) ?? [];
    if (forService.length === 0)
      throw new GatewayConfigError(
        `no AWS service model is signed with '${config.service}' (upstream ${config.url})`,
      );
    const upstream = new Upstream(config, opts.timeoutSeconds);
    upstreams.push(upstream);
    const format = wireFormat(forService[0]?.metadata.protocol ?? "json");
    const svc: GatewayService = {
      service: config.service,
      format,
      models: forService,
      upstream,
      sink: opts.sink,
      logger: opts.logger,
    };
    endpoints[config.service] = {
      format,
      maxBodyBytes: MAX_BUFFERED_BODY,
      uriEscapePath: config.service !== "s3",
      // AWS allows S3 15 minutes of clock skew and the JSON services 5.
      clockSkewSeconds: config.service === "s3" ? 900 : 300,
      streamsBody: (head) => streamsBody(svc, head),
      handle: (req, ctx) => handleGatewayCall(svc, req, ctx),
      rejected: (req, call) => recordRefused(svc, req, call),
    };
  }
  return {
    endpoints,
    close: () => {
      for (const u of upstreams) u.close();
    },
  };
}
