import { createHash, type KeyObject } from "node:crypto";
import type { PublicKey } from "@aws-sdk/client-cloudtrail";

/**
 * ListPublicKeys' byte format (reference §4.5): `Value` is the DER of the PKCS#1 RSAPublicKey
 * (270 bytes for RSA-2048, base64 `MIIBCgKCAQEA…` on the wire), `Fingerprint` the lower-case hex
 * MD5 of those bytes, validity as a time window.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PublicKey.html
 */
export function publicKeyDer(publicKey: KeyObject): Buffer {
  return publicKey.export({ type: "pkcs1", format: "der" });
}

export function keyFingerprint(der: Buffer): string {
  return createHash("md5").update(der).digest("hex");
}

export interface PublicKeyEntry {
  der: Buffer;
  fingerprint: string;
  /** Epoch milliseconds. */
  validFrom: number;
  validTo: number;
}

export function toPublicKey(entry: PublicKeyEntry): PublicKey {
  return {
    Value: new Uint8Array(entry.der),
    ValidityStartTime: new Date(entry.validFrom),
    ValidityEndTime: new Date(entry.validTo),
    Fingerprint: entry.fingerprint,
  };
}

/** Keys whose validity window overlaps [start, end] (both inclusive), oldest first. */
export function keysOverlapping<T extends PublicKeyEntry>(
  keys: readonly T[],
  start: number,
  end: number,
): T[] {
  return keys
    .filter((k) => k.validFrom <= end && k.validTo >= start)
    .sort((a, b) => a.validFrom - b.validFrom);
}
