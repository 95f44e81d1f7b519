import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";

/** Peers (reverse proxies) whose X-Forwarded-For header is believed. */
export type TrustedProxies = BlockList;

/** Parses `--trusted-proxy` CIDRs (`10.0.0.0/8`, `::1/128`, or a bare address). */
export function trustedProxies(cidrs: readonly string[]): TrustedProxies | undefined {
  if (cidrs.length === 0) return undefined;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address = "", bits] = cidr.split("/");
    const family = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (isIP(address) === 0) throw new Error(`invalid trusted proxy: ${cidr}`);
    const prefix = bits === undefined ? (family === "ipv6" ? 128 : 32) : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === "ipv6" ? 128 : 32))
      throw new Error(`invalid trusted proxy: ${cidr}`);
    list.addSubnet(address, prefix, family);
  }
  return list;
}

function isTrusted(list: TrustedProxies, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? "ipv6" : "ipv4");
}

function unmap(address: string): string {
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

/**
 * The caller's address as CloudTrail's sourceIPAddress. Taken from the socket: X-Forwarded-For
 * is believed only when the socket's peer is a configured trusted proxy, and then only up to
 * the first hop (from the right) that is not itself trusted, since every hop left of it could
 * have been written by the client.
 */
export function sourceIPAddress(req: IncomingMessage, trusted?: TrustedProxies): string {
  const peer = unmap(req.socket.remoteAddress ?? "");
  const forwarded = req.headers["x-forwarded-for"];
  if (!trusted || !forwarded || !isTrusted(trusted, peer)) return peer;
  const hops = (Array.isArray(forwarded) ? forwarded.join(",") : forwarded)
    .split(",")
    .map((h) => unmap(h.trim()))
    .filter((h) => isIP(h) !== 0);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!isTrusted(trusted, hop)) return hop;
  }
  return hops[0] ?? peer;
}
