/**
 * The AWS query protocol (STS, IAM, SNS, ...): requests are `Action=...&Version=...&...` form
 * parameters (POST body or GET query string), responses and errors are XML. Generic over the
 * service: the namespace and API version are parameters.
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
 */
import { AwsError } from "./errors.js";

export interface QueryProtocol {
  /** XML namespace of responses, e.g. `https://sts.amazonaws.com/doc/2011-06-15/`. */
  namespace: string;
  /** The only accepted `Version`, e.g. `2011-06-15`. */
  version: string;
}

/** AWS answers requests its query front door cannot route (InvalidAction) in this namespace. */
export const AWS_FAULT_NAMESPACE = "http://webservices.amazon.com/AWSFault/2005-15-09";
export const QUERY_RESPONSE_CONTENT_TYPE = "text/xml";

export interface QueryRequest {
  action: string;
  /** Every parameter but Action and Version, nested: `Tags.member.1.Key` → `{Tags: [{Key}]}`. */
  input: Record<string, unknown>;
}

type Source = string | Buffer | URLSearchParams;

/** Form parameters in order; of repeated names the first wins, as AWS's front door does. */
export function parseQueryParams(source: Source): Map<string, string> {
  const params = source instanceof URLSearchParams ? source : new URLSearchParams(source.toString("utf8"));
  const out = new Map<string, string>();
  for (const [key, value] of params) if (!out.has(key)) out.set(key, value);
  return out;
}

/**
 * Reads Action and Version and nests the rest (SigV4 `X-Amz-*` parameters are dropped). Errors as AWS answers them: no Action →
 * MissingAction; a Version other than the protocol's → InvalidAction "Could not find operation
 * X for version Y" (a missing one reads NO_VERSION_SPECIFIED).
 */
export function decodeQueryRequest(source: Source, protocol: QueryProtocol): QueryRequest {
  const params = parseQueryParams(source);
  const action = params.get("Action");
  if (action === undefined) {
    throw new AwsError("MissingAction", "The request is missing an action or a required parameter.", 400);
  }
  const version = params.get("Version") ?? "NO_VERSION_SPECIFIED";
  if (version !== protocol.version) throw invalidAction(action, version);
  params.delete("Action");
  params.delete("Version");
  // A presigned GET carries its SigV4 parameters in the same query string; they are not input.
  for (const key of [...params.keys()]) if (key.startsWith("X-Amz-")) params.delete(key);
  return { action, input: toNestedInput(params) };
}

export function invalidAction(action: string, version: string): AwsError {
  return new AwsError("InvalidAction", `Could not find operation ${action} for version ${version}`, 400);
}

type Tree = Map<string, Tree | string>;

/**
 * `A.B=1` → `{A: {B: "1"}}`; lists `A.member.N` (and flattened `A.N`) → arrays ordered by N;
 * maps `A.entry.N.key`/`A.entry.N.value` → objects. Scalars stay strings: the service coerces.
 */
export function toNestedInput(params: Map<string, string>): Record<string, unknown> {
  const root: Tree = new Map();
  for (const [key, value] of params) insert(root, key.split("."), value);
  return toObject(root);
}

function insert(node: Tree, path: string[], value: string): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  const existing = node.get(head);
  if (rest.length === 0) {
    if (existing === undefined) node.set(head, value);
    return;
  }
  if (typeof existing === "string") return;
  const child = existing ?? new Map();
  node.set(head, child);
  insert(child, rest, value);
}

const INDEX = /^[1-9]\d*$/;

function convert(value: Tree | string): unknown {
  if (typeof value === "string") return value;
  const keys = [...value.keys()];
  const only = keys.length === 1 ? value.get(keys[0] ?? "") : undefined;
  if (keys[0] === "member" && only instanceof Map) return toList(only);
  if (keys[0] === "entry" && only instanceof Map) return toMap(only);
  if (keys.length > 0 && keys.every((k) => INDEX.test(k))) return toList(value);
  return toObject(value);
}

function toList(node: Tree): unknown[] {
  return [...node.entries()]
    .filter(([k]) => INDEX.test(k))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, v]) => convert(v));
}

function toMap(node: Tree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of toList(node)) {
    const e = entry as Record<string, unknown>;
    if (typeof e?.key === "string") setOwn(out, e.key, e.value);
  }
  return out;
}

function toObject(node: Tree): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of node) setOwn(out, k, convert(v));
  return out;
}

/** Plain assignment of `__proto__` would replace the prototype instead of adding a member. */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The inverse of decodeQueryRequest, as the AWS SDKs encode: lists as `.member.N`. */
export function encodeQueryRequest(
  action: string,
  input: Record<string, unknown>,
  protocol: QueryProtocol,
): string {
  const params = new URLSearchParams({ Action: action, Version: protocol.version });
  flatten(input, "", params);
  return params.toString();
}

function flatten(value: unknown, prefix: string, out: URLSearchParams): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) flatten(v, `${prefix}.member.${i + 1}`, out);
  } else if (value instanceof Date) {
    out.append(prefix, isoSeconds(value));
  } else if (typeof value === "object") {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.append(prefix, String(value));
  }
}

/**
 * `<{Op}Response xmlns><{Op}Result>…</{Op}Result><ResponseMetadata><RequestId>…` laid out as AWS
 * lays it out (two-space indent, trailing newline). Members appear in the output's key order;
 * lists as `<member>` items; timestamps ISO 8601 in whole seconds. An empty output has no Result.
 */
export function serializeQueryResponse(
  operation: string,
  output: Record<string, unknown>,
  requestId: string,
  protocol: QueryProtocol,
): string {
  const members = Object.entries(output).flatMap(([k, v]) => element(k, v, 2));
  const result = members.length > 0 ? [`  <${operation}Result>`, ...members, `  </${operation}Result>`] : [];
  return lines([
    `<${operation}Response xmlns="${protocol.namespace}">`,
    ...result,
    "  <ResponseMetadata>",
    `    <RequestId>${escapeXml(requestId)}</RequestId>`,
    "  </ResponseMetadata>",
    `</${operation}Response>`,
  ]);
}

function element(name: string, value: unknown, depth: number): string[] {
  const pad = "  ".repeat(depth);
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}<${name}/>`];
    return [`${pad}<${name}>`, ...value.flatMap((v) => element("member", v, depth + 1)), `${pad}</${name}>`];
  }
  if (value instanceof Date) return [`${pad}<${name}>${isoSeconds(value)}</${name}>`];
  if (typeof value === "object") {
    const children = Object.entries(value).flatMap(([k, v]) => element(k, v, depth + 1));
    return children.length === 0
      ? [`${pad}<${name}/>`]
      : [`${pad}<${name}>`, ...children, `${pad}</${name}>`];
  }
  return [`${pad}<${name}>${escapeXml(String(value))}</${name}>`];
}

/**
 * The JSON services' names for the edge's authentication failures are the canonical ones
 * (errors.ts); query services name the same failures differently.
 */
const QUERY_CODES: Record<string, string> = {
  MissingAuthenticationTokenException: "MissingAuthenticationToken",
  UnrecognizedClientException: "InvalidClientTokenId",
  InvalidSignatureException: "SignatureDoesNotMatch",
  IncompleteSignatureException: "IncompleteSignature",
  ExpiredTokenException: "ExpiredToken",
  ValidationException: "ValidationError",
  AccessDeniedException: "AccessDenied",
  SerializationException: "MalformedInput",
  UnknownOperationException: "InvalidAction",
  RequestEntityTooLargeException: "RequestEntityTooLarge",
};

export function queryErrorCode(code: string): string {
  return QUERY_CODES[code] ?? code;
}

/**
 * `<ErrorResponse xmlns><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/>`,
 * as STS writes it. An empty message is left out, as AWS leaves it out for MalformedInput.
 */
export function serializeQueryError(err: AwsError, requestId: string, protocol: QueryProtocol): string {
  const code = queryErrorCode(err.code);
  const message =
    code === "MissingAuthenticationToken" && err.code !== code
      ? "Request is missing Authentication Token"
      : err.message;
  const namespace = code === "InvalidAction" ? AWS_FAULT_NAMESPACE : protocol.namespace;
  return lines([
    `<ErrorResponse xmlns="${namespace}">`,
    "  <Error>",
    `    <Type>${err.fault === "server" ? "Receiver" : "Sender"}</Type>`,
    `    <Code>${escapeXml(code)}</Code>`,
    ...(message ? [`    <Message>${escapeXml(message)}</Message>`] : []),
    "  </Error>",
    `  <RequestId>${escapeXml(requestId)}</RequestId>`,
    "</ErrorResponse>",
  ]);
}

function lines(parts: string[]): string {
  return `${parts.join("\n")}\n`;
}

function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/**
 * Escapes markup (quotes stay as they are: AWS writes `Value 'x' at ...` unescaped) and replaces
 * characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates) with U+FFFD, so
 * echoing client input in a validation message never breaks a parser.
 */
export function escapeXml(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding the characters XML forbids is the point
  return text.replace(/[&<>\r]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|\p{Cs}/gu, (c) => {
    switch (c) {
      case "&":
        return "&amp;";
      case "<":
        return "&lt;";
      case ">":
        return "&gt;";
      case "\r":
        return "&#13;";
      default:
        return "\ufffd";
    }
  });
}
