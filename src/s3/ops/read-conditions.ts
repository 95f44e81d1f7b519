import { S3Errors } from "../errors.js";
import type { ObjectVersion } from "../model.js";
import { unquoteEtag } from "../responses.js";

/**
 * Conditional GET/HEAD headers and byte ranges.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html
 */
function etagMatches(header: string, etag: string): boolean {
  return header.split(",").some((t) => t.trim() === "*" || unquoteEtag(t) === etag);
}

/** Throws PreconditionFailed; returns true when the answer is 304 Not Modified. */
export function checkPreconditions(headers: Record<string, string>, v: ObjectVersion): boolean {
  const modified = Math.floor(v.lastModified.getTime() / 1000) * 1000;
  const ifMatch = headers["if-match"];
  const ifUnmodified = headers["if-unmodified-since"];
  if (ifMatch !== undefined && !etagMatches(ifMatch, v.etag)) throw S3Errors.preconditionFailed("If-Match");
  if (ifMatch === undefined && ifUnmodified !== undefined) {
    const t = Date.parse(ifUnmodified);
    if (!Number.isNaN(t) && modified > t) throw S3Errors.preconditionFailed("If-Unmodified-Since");
  }
  const ifNoneMatch = headers["if-none-match"];
  if (ifNoneMatch !== undefined) return etagMatches(ifNoneMatch, v.etag);
  const ifModified = headers["if-modified-since"];
  if (ifModified !== undefined) {
    const t = Date.parse(ifModified);
    return !Number.isNaN(t) && modified <= t;
  }
  return false;
}

export interface ByteRange {
  start: number;
  end: number;
}

/**
 * One `bytes=` range, clamped to the object; undefined when absent or not a single valid range
 * (S3 then sends the whole object). Unsatisfiable ranges are InvalidRange (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw S3Errors.invalidRange(header, size);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== "" && Number(m[2]) < start) return undefined;
  if (start >= size) throw S3Errors.invalidRange(header, size);
  return { start, end };
}
