import { CommonErrors } from "./errors.js";
import { type ServiceModel, type Shape, type ShapeRef, shapeOf } from "./service-model.js";

/**
 * Turns a parsed JSON body into the typed input the SDK types describe: timestamps become
 * Dates, blobs Buffers, unknown members are dropped (as AWS's front end does). Wrong JSON types
 * are a SerializationException; missing required members a ValidationException with AWS's
 * Coral wording. Lengths, ranges, enums and patterns are left to the handlers, because
 * CloudTrail answers those with its own exception codes (InvalidMaxResultsException, ...).
 */
export function decodeShape(model: ServiceModel, ref: ShapeRef, value: unknown): unknown {
  const missing: string[] = [];
  const out = decode(model, shapeOf(model, ref), value, "", missing);
  if (missing.length > 0) {
    const n = missing.length;
    const details = missing.map(
      (p) => `Value null at '${p}' failed to satisfy constraint: Member must not be null`,
    );
    throw CommonErrors.validation(`${n} validation error${n > 1 ? "s" : ""} detected: ${details.join("; ")}`);
  }
  return out;
}

function decode(model: ServiceModel, shape: Shape, value: unknown, path: string, missing: string[]): unknown {
  switch (shape.type) {
    case "structure":
      return decodeStructure(model, shape, expectObject(value, path), path, missing);
    case "list": {
      if (!Array.isArray(value)) throw typeError(path, "list", value);
      const member = shapeOf(model, shape.member as ShapeRef);
      return value.map((v, i) => decode(model, member, v, `${path}.${i + 1}.member`, missing));
    }
    case "map": {
      const obj = expectObject(value, path);
      const valueShape = shapeOf(model, shape.value as ShapeRef);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(obj))
        out[k] = decode(model, valueShape, v, `${path}.${k}`, missing);
      return out;
    }
    case "string":
      if (typeof value !== "string") throw typeError(path, "string", value);
      return value;
    case "boolean":
      if (typeof value !== "boolean") throw typeError(path, "boolean", value);
      return value;
    case "integer":
    case "long":
      if (typeof value !== "number" || !Number.isInteger(value)) throw typeError(path, shape.type, value);
      return value;
    case "double":
    case "float":
      if (typeof value !== "number") throw typeError(path, shape.type, value);
      return value;
    case "timestamp":
      return decodeTimestamp(value, path);
    case "blob":
      if (typeof value !== "string") throw typeError(path, "blob", value);
      return Buffer.from(value, "base64");
  }
}

function decodeStructure(
  model: ServiceModel,
  shape: Shape,
  obj: Record<string, unknown>,
  path: string,
  missing: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const v = obj[name];
    if (v === undefined || v === null) continue;
    out[name] = decode(model, shapeOf(model, ref), v, join(path, name), missing);
  }
  for (const name of shape.required ?? []) {
    if (out[name] === undefined) missing.push(join(path, name));
  }
  return out;
}

/** Coral names members in camelCase in its messages (`'s3BucketName'`). */
function join(path: string, member: string): string {
  const camel = member.charAt(0).toLowerCase() + member.slice(1);
  return path ? `${path}.${camel}` : camel;
}

function decodeTimestamp(value: unknown, path: string): Date {
  // The JSON protocols send epoch seconds; some clients send ISO strings, which AWS accepts too.
  const d =
    typeof value === "number" ? new Date(value * 1000) : typeof value === "string" ? new Date(value) : null;
  if (!d || Number.isNaN(d.getTime())) throw typeError(path, "timestamp", value);
  return d;
}

function expectObject(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw typeError(path, "structure", value);
  return value as Record<string, unknown>;
}

function typeError(path: string, expected: string, value: unknown) {
  const got = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  const where = path ? ` for '${path}'` : "";
  return CommonErrors.serialization(`Unexpected value type${where}: expected ${expected}, got ${got}`);
}
