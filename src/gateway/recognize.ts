/**
 * Which operation of which model a request calls, from the wire alone, as AWS's front doors
 * route: JSON 1.0/1.1 by `X-Amz-Target: <targetPrefix>.<Operation>`, query and EC2 by the
 * `Action` parameter (query string or form body), REST-JSON and REST-XML by method and URI
 * template (rest-templates.ts). Nothing here is specific to a service but S3's
 * bucket-in-host addressing, which is rewritten to the path form first.
 */
import { parseQueryParams } from "../protocol/aws-query.js";
import type { RawRequest } from "../server/raw-http.js";
import { matchRest } from "./rest-templates.js";
import type { ServiceModel } from "./service-models.js";
import type { MinOperation } from "./shapes.js";

export type WireProtocol = "json" | "query" | "rest";

export interface Recognized {
  model: ServiceModel;
  operation: string;
  op: MinOperation;
  protocol: WireProtocol;
  /** REST: URI labels, decoded. */
  labels: Record<string, string>;
  /** Query: the decoded parameters (query string and form body). */
  params?: Map<string, string>;
  /** S3 virtual-hosted style: the bucket named by the Host header. */
  hostBucket?: string;
}

const FORM = "application/x-www-form-urlencoded";

const VIRTUAL_HOSTS = [
  /^(.+)\.s3[.-]([a-z0-9-]+)\.amazonaws\.com$/,
  /^(.+)\.s3\.amazonaws\.com$/,
  /^(.+)\.s3\.dualstack\.([a-z0-9-]+)\.amazonaws\.com$/,
  /^(.+)\.localhost$/,
];

/** The bucket a virtual-hosted-style S3 Host header names. */
export function bucketFromHost(host: string | undefined): string | undefined {
  const name = host?.replace(/:\d+$/, "").toLowerCase();
  if (!name) return undefined;
  for (const re of VIRTUAL_HOSTS) {
    const m = re.exec(name);
    if (m?.[1] && m[1] !== "s3" && !m[1].startsWith("s3.")) return m[1];
  }
  return undefined;
}

function byTarget(models: ServiceModel[], target: string): Recognized | undefined {
  const dot = target.lastIndexOf(".");
  if (dot < 0) return undefined;
  const prefix = target.slice(0, dot);
  const name = target.slice(dot + 1);
  for (const model of models) {
    const own = model.metadata.targetPrefix;
    // Some SDKs send a shortened prefix (`CloudTrail_20131101` for the full service name).
    if (!own || !(own === prefix || own.endsWith(`.${prefix}`) || prefix.endsWith(`.${own}`))) continue;
    const op = model.operations[name];
    if (op) return { model, operation: name, op, protocol: "json", labels: {} };
  }
  return undefined;
}

function queryParams(req: RawRequest): Map<string, string> {
  const params = parseQueryParams(req.query);
  const type = req.headers["content-type"] ?? "";
  if (req.method === "POST" && type.startsWith(FORM) && req.body.length > 0) {
    for (const [k, v] of parseQueryParams(req.body)) if (!params.has(k)) params.set(k, v);
  }
  return params;
}

function byAction(models: ServiceModel[], req: RawRequest): Recognized | undefined {
  const params = queryParams(req);
  const action = params.get("Action");
  if (!action) return undefined;
  for (const model of models) {
    const { protocol, awsQueryCompatible } = model.metadata;
    if (protocol !== "query" && protocol !== "ec2" && !awsQueryCompatible) continue;
    const op = model.operations[action];
    if (op) return { model, operation: action, op, protocol: "query", labels: {}, params };
  }
  return undefined;
}

function byTemplate(models: ServiceModel[], req: RawRequest): Recognized | undefined {
  for (const model of models) {
    const { protocol, serviceId } = model.metadata;
    if (protocol !== "rest-json" && protocol !== "rest-xml") continue;
    const hostBucket = serviceId === "S3" ? bucketFromHost(req.headers.host) : undefined;
    const path = hostBucket === undefined ? req.rawPath : `/${encodeURIComponent(hostBucket)}${req.rawPath}`;
    const m = matchRest(model, req.method.toUpperCase(), path, req.query, req.headers);
    if (m) return { model, ...m, protocol: "rest", hostBucket };
  }
  return undefined;
}

/** Undefined when no model names the operation: the gateway then refuses the call. */
export function recognize(models: ServiceModel[], req: RawRequest): Recognized | undefined {
  const target = req.headers["x-amz-target"];
  if (target !== undefined) return byTarget(models, target);
  return byAction(models, req) ?? byTemplate(models, req);
}

/** The name the caller asked for, for the record of a refused call. */
export function claimedOperation(req: RawRequest): string | undefined {
  const target = req.headers["x-amz-target"];
  if (target !== undefined) return target.slice(target.lastIndexOf(".") + 1) || undefined;
  return queryParams(req).get("Action");
}
