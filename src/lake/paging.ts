import { LakeErrors } from "./lake-errors.js";

/**
 * Offset paging for the Lake's List operations. Tokens are opaque to clients (base64 of a
 * scope and an offset) and refused when they were made for another list.
 */
export function pageOf<T>(
  items: T[],
  token: string | undefined,
  maxResults: number | undefined,
  max: number,
  scope = "list",
): { items: T[]; nextToken?: string } {
  if (maxResults !== undefined && (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > max))
    throw LakeErrors.invalidMaxResults();
  const start = token === undefined ? 0 : decodeToken(token, scope);
  const size = maxResults ?? max;
  const page = items.slice(start, start + size);
  const next = start + size < items.length ? encodeToken(scope, start + size) : undefined;
  return { items: page, nextToken: next };
}

export function encodeToken(scope: string, offset: number): string {
  return Buffer.from(`${scope}:${offset}`).toString("base64url");
}

export function decodeToken(token: string, scope: string): number {
  const text = Buffer.from(token, "base64url").toString("utf8");
  const [s, n] = text.split(":");
  const offset = Number(n);
  if (s !== scope || !Number.isSafeInteger(offset) || offset < 0) throw LakeErrors.invalidNextToken();
  return offset;
}
