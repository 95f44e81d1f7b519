import { createHash } from "node:crypto";

/**
 * Opaque paging tokens: the position to resume from, bound to the request's other parameters
 * ("the token must be passed in with the same parameters as the previous call").
 */
export function encodeToken(position: unknown, binding: unknown): string {
  return Buffer.from(JSON.stringify({ p: position, b: bindingHash(binding) })).toString("base64url");
}

/** The position, or undefined when the token is malformed or from other parameters. */
export function decodeToken<T>(token: string, binding: unknown): T | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { p?: T; b?: string };
    return v.b === bindingHash(binding) && v.p !== undefined ? v.p : undefined;
  } catch {
    return undefined;
  }
}

function bindingHash(binding: unknown): string {
  return createHash("sha256").update(JSON.stringify(binding)).digest("base64url").slice(0, 16);
}
