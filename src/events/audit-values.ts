import type { JsonObject, JsonValue } from "./cloudtrail-event.js";
import { formatParameterTime } from "./event-time.js";

/**
 * Renders an API input or output the way CloudTrail writes requestParameters and
 * responseElements for AWS's own JSON APIs: member names in camelCase (`s3BucketName`, not the
 * wire's `S3BucketName`), timestamps in Java's date format, bytes left out. Returns null for an
 * empty structure, as CloudTrail does (`"responseElements": null`).
 */
export function toAuditObject(value: Record<string, unknown> | undefined | null): JsonObject | null {
  if (!value) return null;
  const out = convert(value) as JsonObject;
  return Object.keys(out).length === 0 ? null : out;
}

function convert(value: unknown): JsonValue | undefined {
  if (value === undefined) return undefined;
  if (
    value === null ||
    typeof value === "string" ||
    typeof value === "number" ||
    typeof value === "boolean"
  ) {
    return value;
  }
  if (value instanceof Date) return formatParameterTime(value);
  if (value instanceof Uint8Array) return undefined;
  if (Array.isArray(value)) return value.map((v) => convert(v) ?? null);
  if (typeof value === "object") {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
      const c = convert(v);
      if (c !== undefined) out[camelCase(k)] = c;
    }
    return out;
  }
  return undefined;
}

/** `S3BucketName` → `s3BucketName`, `TrailARN` → `trailARN`, `KmsKeyId` → `kmsKeyId`. */
export function camelCase(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
