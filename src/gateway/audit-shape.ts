/**
 * Values rendered for requestParameters and responseElements the way CloudTrail writes them for
 * AWS's JSON APIs, driven by the operation's shape: structure members in camelCase, map keys
 * and list items untouched, blobs left out, timestamps in CloudTrail's parameter format,
 * members the model marks sensitive hidden. Members the model does not know (a client newer
 * than the model) are kept, camelCased.
 */

import { camelCase, toAuditObject } from "../events/audit-values.js";
import type { JsonObject, JsonValue } from "../events/cloudtrail-event.js";
import { formatParameterTime } from "../events/event-time.js";
import { type MinShape, resolveShape, shapeType } from "./shapes.js";

export const HIDDEN = "HIDDEN_DUE_TO_SECURITY_REASONS";

type Shapes = Record<string, MinShape>;

function timestamp(value: unknown): JsonValue {
  const d =
    typeof value === "number"
      ? new Date(value * 1000)
      : typeof value === "string" && /^\d+(\.\d+)?$/.test(value)
        ? new Date(Number(value) * 1000)
        : new Date(String(value));
  return Number.isNaN(d.getTime()) ? String(value) : formatParameterTime(d);
}

function scalar(type: string, value: unknown): JsonValue | undefined {
  if (type === "blob") return undefined;
  if (type === "timestamp") return timestamp(value);
  if (typeof value === "string") {
    // XML and query values arrive as text; render them as the JSON services would.
    if (
      ["integer", "long", "double", "float"].includes(type) &&
      value.trim() !== "" &&
      !Number.isNaN(Number(value))
    )
      return Number(value);
    if (type === "boolean" && (value === "true" || value === "false")) return value === "true";
    return value;
  }
  if (typeof value === "number" || typeof value === "boolean" || value === null) return value;
  return toAuditObject({ v: value })?.v ?? null;
}

/** One value of the given shape; undefined means "leave the member out". */
export function auditValue(shapes: Shapes, ref: MinShape, value: unknown): JsonValue | undefined {
  if (value === undefined) return undefined;
  const shape = resolveShape(shapes, ref);
  if (shape.sensitive) return HIDDEN;
  const type = shapeType(shape);
  if (type === "structure" && value && typeof value === "object" && !Array.isArray(value))
    return auditStructure(shapes, shape, value as Record<string, unknown>);
  if (type === "list" && Array.isArray(value) && shape.member) {
    const member = shape.member;
    return value.map((v) => auditValue(shapes, member, v) ?? null);
  }
  if (type === "map" && value && typeof value === "object" && !Array.isArray(value) && shape.value) {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      const c = auditValue(shapes, shape.value, v);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  return scalar(type, value);
}

export function auditStructure(shapes: Shapes, shape: MinShape, value: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  const members = shape.members ?? {};
  for (const [name, v] of Object.entries(value)) {
    const member = members[name];
    const c = member ? auditValue(shapes, member, v) : (toAuditObject({ v })?.v ?? undefined);
    if (c !== undefined) out[camelCase(name)] = c;
  }
  return out;
}

/** A structure's rendering, or null when nothing is left (CloudTrail writes `null`). */
export function auditObject(
  shapes: Shapes,
  shape: MinShape | undefined,
  value: Record<string, unknown>,
): JsonObject | null {
  const out = shape ? auditStructure(shapes, resolveShape(shapes, shape), value) : toAuditObject(value);
  return out && Object.keys(out).length > 0 ? out : null;
}
