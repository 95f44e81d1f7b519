/**
 * The shapes of aws-sdk's min.json models. Unlike botocore's service-2.json they are inlined
 * where used once: a member is either `{shape: "S1h", ...location}` or the shape itself, and
 * an empty `{}` is a string.
 */
export interface MinShape {
  type?: string;
  shape?: string;
  members?: Record<string, MinShape>;
  member?: MinShape;
  key?: MinShape;
  value?: MinShape;
  required?: string[];
  payload?: string;
  location?: "uri" | "querystring" | "header" | "headers" | "statusCode";
  locationName?: string;
  queryName?: string;
  flattened?: boolean;
  streaming?: boolean;
  sensitive?: boolean;
  timestampFormat?: string;
  jsonvalue?: boolean;
}

export interface MinOperation {
  name?: string;
  http?: { method?: string; requestUri?: string; responseCode?: number };
  input?: MinShape;
  output?: MinShape;
}

/**
 * Resolved references by reference object. A model's shapes never change once parsed and a
 * reference belongs to one model, so each is merged once, not on every call it is read for.
 */
const resolved = new WeakMap<MinShape, MinShape>();

/** A reference resolved against the model's named shapes; the reference's own keys win. */
export function resolveShape(shapes: Record<string, MinShape>, ref: MinShape): MinShape {
  if (ref.shape === undefined) return ref;
  let out = resolved.get(ref);
  if (out === undefined) {
    const named = shapes[ref.shape];
    out = named ? Object.assign({}, resolveShape(shapes, named), ref, { shape: undefined }) : ref;
    resolved.set(ref, out);
  }
  return out;
}

export function shapeType(s: MinShape): string {
  return s.type ?? (s.members ? "structure" : "string");
}

/** Whether a structure's body is raw bytes (S3 object data, Lambda payloads). */
export function hasBlobPayload(shapes: Record<string, MinShape>, s: MinShape | undefined): boolean {
  if (!s?.payload) return false;
  const member = s.members?.[s.payload];
  if (!member) return false;
  const type = shapeType(resolveShape(shapes, member));
  return type === "blob" || type === "string" || member.streaming === true;
}
