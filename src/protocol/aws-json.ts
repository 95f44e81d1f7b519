import { AwsError, CommonErrors } from "./errors.js";
import type { ServiceModel } from "./service-model.js";
import { decodeShape } from "./shape-decoder.js";

/**
 * The awsJson1_0 / awsJson1_1 protocols: `POST /`, operation named by `X-Amz-Target`
 * (`<targetPrefix>.<Operation>`), JSON bodies, timestamps as epoch seconds, blobs as base64,
 * errors as `{"__type": code, "message": text}` with the HTTP status.
 */
export interface JsonRequest {
  operation: string;
  input: Record<string, unknown>;
}

export function jsonContentType(model: ServiceModel): string {
  return `application/x-amz-json-${model.metadata.jsonVersion ?? "1.1"}`;
}

/**
 * The operation an `X-Amz-Target` names. botocore sends the model's full target prefix
 * (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`); the schema-based JS
 * SDK v3 sends the service shape's name only (`CloudTrail_20131101.LookupEvents`). AWS takes both.
 */
export function targetOperation(model: ServiceModel, target: string | undefined): string | undefined {
  if (target === undefined) return undefined;
  for (const prefix of targetPrefixes(model)) {
    if (target.startsWith(prefix)) {
      const op = target.slice(prefix.length);
      return Object.hasOwn(model.operations, op) ? op : undefined;
    }
  }
  return undefined;
}

/** `<full prefix>.` and `<service shape name>.`, worked out once per model rather than per call. */
const prefixes = new WeakMap<ServiceModel, readonly string[]>();

function targetPrefixes(model: ServiceModel): readonly string[] {
  let known = prefixes.get(model);
  if (!known) {
    const full = model.metadata.targetPrefix ?? "";
    known = [`${full}.`, `${full.slice(full.lastIndexOf(".") + 1)}.`];
    prefixes.set(model, known);
  }
  return known;
}

export function parseJsonRequest(model: ServiceModel, target: string | undefined, body: Buffer): JsonRequest {
  const operation = targetOperation(model, target);
  const op = operation ? model.operations[operation] : undefined;
  if (!op) throw CommonErrors.unknownOperation(target ?? "(no X-Amz-Target)");
  const parsed = parseBody(body);
  const input = op.input ? decodeShape(model, op.input, parsed) : {};
  return { operation: op.name, input: input as Record<string, unknown> };
}

function parseBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString("utf8"));
  } catch (e) {
    throw CommonErrors.serialization(`Malformed JSON request body: ${(e as Error).message}`);
  }
}

/**
 * Serialises a handler's output: Dates as epoch seconds, bytes as base64, undefined dropped.
 * Output with Dates or bytes is first copied with those converted: JSON.stringify with a
 * replacer costs a call per key and leaves V8's fast path (about twice the time for a
 * LookupEvents page). Output without them (a Lake results page: thousands of small objects) is
 * serialised as it is.
 */
export function encodeJsonOutput(output: unknown): string {
  return JSON.stringify(hasWireConversions(output) ? wireValue(output) : (output ?? {}));
}

/**
 * An output already serialised as encodeJsonOutput would (on a worker thread, say): sent as
 * it is. The call's record sees no output, which suits read-only operations (their records
 * have no responseElements).
 */
export class EncodedJsonOutput {
  constructor(readonly body: Buffer) {}
}

function wireValue(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(wireValue);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = wireValue(v);
  }
  return out;
}

/** Whether a Date or byte array is anywhere in `value`. */
function hasWireConversions(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (value instanceof Date || value instanceof Uint8Array) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (hasWireConversions(item)) return true;
    return false;
  }
  for (const key in value) if (hasWireConversions((value as Record<string, unknown>)[key])) return true;
  return false;
}

export function encodeJsonError(err: AwsError): string {
  return JSON.stringify({ __type: err.code, message: err.message });
}

export { AwsError };
