import type { IncomingMessage } from "node:http";

/**
 * The caller's address as CloudTrail's sourceIPAddress. Taken from the socket only:
 * X-Forwarded-For is not believed, since any client can send it.
 */
export function sourceIPAddress(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? "";
  return a.startsWith("::ffff:") ? a.slice(7) : a;
}
