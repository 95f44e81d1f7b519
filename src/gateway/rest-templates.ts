/**
 * REST-JSON and REST-XML operations are told apart by HTTP method and URI template
 * (`PUT /{Bucket}/{Key+}?uploads`), plus the required members the model places in the query
 * string or headers (UploadPart needs `partNumber` and `uploadId`, CopyObject needs
 * `x-amz-copy-source`). The most specific match wins.
 */
import type { ServiceModel } from "./service-models.js";
import type { MinOperation } from "./shapes.js";

interface Template {
  operation: string;
  op: MinOperation;
  method: string;
  path: RegExp;
  labels: string[];
  /** Query keys the template names literally, with their value when it has one. */
  literalQuery: Array<[string, string | undefined]>;
  requiredQuery: string[];
  requiredHeaders: string[];
  /** Literal characters of the path: more is more specific. */
  literalLength: number;
}

export interface RestMatch {
  operation: string;
  op: MinOperation;
  /** URI labels, percent-decoded. */
  labels: Record<string, string>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function compile(operation: string, op: MinOperation): Template {
  const uri = op.http?.requestUri ?? "/";
  const q = uri.indexOf("?");
  const path = q < 0 ? uri : uri.slice(0, q);
  const labels: string[] = [];
  let literalLength = 0;
  const pattern = path.replace(/\{([^}]+)\}|[^{]+/g, (part, label: string | undefined) => {
    if (label === undefined) {
      literalLength += part.length;
      return escapeRegExp(part);
    }
    const greedy = label.endsWith("+");
    labels.push(greedy ? label.slice(0, -1) : label);
    return greedy ? "(.+)" : "([^/]+)";
  });
  // A trailing slash is tolerated where the template does not end in a greedy label.
  const tail = pattern.endsWith("(.+)") ? "" : "/?";
  const literalQuery = (q < 0 ? "" : uri.slice(q + 1))
    .split("&")
    .filter((p) => p !== "")
    .map((p): [string, string | undefined] => {
      const eq = p.indexOf("=");
      return eq < 0 ? [p, undefined] : [p.slice(0, eq), p.slice(eq + 1)];
    })
    // `x-id=GetObject` tags newer SDKs' requests; older clients do not send it.
    .filter(([k]) => k !== "x-id");
  const required = new Set(op.input?.required ?? []);
  const requiredQuery: string[] = [];
  const requiredHeaders: string[] = [];
  for (const [name, member] of Object.entries(op.input?.members ?? {})) {
    if (!required.has(name)) continue;
    if (member.location === "querystring") requiredQuery.push(member.locationName ?? name);
    if (member.location === "header") requiredHeaders.push((member.locationName ?? name).toLowerCase());
  }
  return {
    operation,
    op,
    method: (op.http?.method ?? "POST").toUpperCase(),
    path: new RegExp(`^${pattern.replace(/\/$/, "")}${tail}$`),
    labels,
    literalQuery,
    requiredQuery,
    requiredHeaders,
    literalLength,
  };
}

const compiled = new WeakMap<ServiceModel, Template[]>();

function templates(model: ServiceModel): Template[] {
  let list = compiled.get(model);
  if (!list) {
    list = Object.entries(model.operations).map(([name, op]) => compile(name, op));
    compiled.set(model, list);
  }
  return list;
}

function decodeLabel(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

export function matchRest(
  model: ServiceModel,
  method: string,
  path: string,
  query: URLSearchParams,
  headers: Record<string, string>,
): RestMatch | undefined {
  let best: { t: Template; m: RegExpExecArray; score: number } | undefined;
  for (const t of templates(model)) {
    if (t.method !== method) continue;
    const m = t.path.exec(path);
    if (!m) continue;
    if (!t.literalQuery.every(([k, v]) => (v === undefined ? query.has(k) : query.get(k) === v))) continue;
    if (!t.requiredQuery.every((k) => query.has(k))) continue;
    if (!t.requiredHeaders.every((h) => headers[h] !== undefined)) continue;
    const score =
      (t.literalQuery.length + t.requiredQuery.length + t.requiredHeaders.length) * 10_000 +
      t.literalLength * 10 -
      t.labels.length;
    if (!best || score > best.score) best = { t, m, score };
  }
  if (!best) return undefined;
  const labels: Record<string, string> = {};
  for (const [i, name] of best.t.labels.entries()) {
    const value = decodeLabel(best.m[i + 1] ?? "");
    if (value === undefined) return undefined;
    labels[name] = value;
  }
  return { operation: best.t.operation, op: best.t.op, labels };
}
