import { createHmac, timingSafeEqual } from "node:crypto";
import { LookupErrors } from "./lookup-errors.js";

const VERSION = 1;
const MAC_BYTES = 16;
const TOKEN_BYTES = 1 + 6 + 6 + MAC_BYTES;

/** Where the next page starts: strictly below this (eventTime, seq) position. */
export interface PagePosition {
  t: number;
  seq: number;
}

/**
 * Opaque LookupEvents NextTokens. A token is the keyset position of the last event returned
 * (so pages stay exact while new events arrive) plus an HMAC over that position and the
 * request's parameters and scope, with a key kept in the history database. A token that was
 * altered, comes from another request, caller or database is rejected with
 * InvalidNextTokenException. Layout (base64url): version(1) | t(6) | seq(6) | mac(16).
 */
export class NextTokens {
  constructor(private readonly key: Buffer) {}

  private mac(binding: string, t: number, seq: number): Buffer {
    return createHmac("sha256", this.key).update(`${binding}\n${t}\n${seq}`).digest().subarray(0, MAC_BYTES);
  }

  issue(binding: string, position: PagePosition): string {
    const buf = Buffer.alloc(TOKEN_BYTES);
    buf[0] = VERSION;
    buf.writeUIntBE(position.t, 1, 6);
    buf.writeUIntBE(position.seq, 7, 6);
    this.mac(binding, position.t, position.seq).copy(buf, 13);
    return buf.toString("base64url");
  }

  verify(token: string, binding: string): PagePosition {
    const buf =
      token.length <= 64 && /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, "base64url") : undefined;
    if (!buf || buf.length !== TOKEN_BYTES || buf[0] !== VERSION || buf.toString("base64url") !== token) {
      throw LookupErrors.invalidNextToken();
    }
    const t = buf.readUIntBE(1, 6);
    const seq = buf.readUIntBE(7, 6);
    if (!timingSafeEqual(buf.subarray(13), this.mac(binding, t, seq))) throw LookupErrors.invalidNextToken();
    return { t, seq };
  }
}
