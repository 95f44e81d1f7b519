import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { S3Errors } from "./errors.js";

/**
 * Integrity headers: Content-MD5 and the flexible checksums (`x-amz-checksum-<alg>`, base64 of
 * the big-endian digest). CRC32, CRC32C, SHA1 and SHA256 are verified; other algorithms
 * (CRC64NVME) are stored and returned as sent.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
export const CHECKSUM_ALGORITHMS = ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32c(data: Buffer): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    crc = (CRC32C_TABLE[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function uint32Base64(n: number): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b.toString("base64");
}

/** The base64 checksum S3 would compute, or undefined for an algorithm we only store. */
export function computeChecksum(algorithm: ChecksumAlgorithm, data: Buffer): string | undefined {
  switch (algorithm) {
    case "crc32":
      return uint32Base64(crc32(data));
    case "crc32c":
      return uint32Base64(crc32c(data));
    case "sha1":
    case "sha256":
      return createHash(algorithm).update(data).digest("base64");
    default:
      return undefined;
  }
}

export function md5Hex(data: Buffer): string {
  return createHash("md5").update(data).digest("hex");
}

/** Checks Content-MD5 against the received bytes; `md5` is their hex MD5. */
export function verifyContentMd5(header: string | undefined, md5: string): void {
  if (header === undefined) return;
  const digest = Buffer.from(header, "base64");
  if (digest.length !== 16 || digest.toString("base64") !== header.trim()) throw S3Errors.invalidDigest();
  if (digest.toString("hex") !== md5) throw S3Errors.badDigest();
}

/** The checksums a request declares (headers, or aws-chunked trailers), keyed by algorithm. */
export function declaredChecksums(
  headers: Record<string, string>,
  trailers: Record<string, string>,
): Partial<Record<ChecksumAlgorithm, string>> {
  const out: Partial<Record<ChecksumAlgorithm, string>> = {};
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const name = `x-amz-checksum-${algorithm}`;
    const declared = trailers[name] ?? headers[name];
    if (declared !== undefined) out[algorithm] = declared;
  }
  return out;
}

/** The declared algorithms we can compute (the others are only stored). */
export function verifiableAlgorithms(
  declared: Partial<Record<ChecksumAlgorithm, string>>,
): ChecksumAlgorithm[] {
  return CHECKSUM_ALGORITHMS.filter((a) => declared[a] !== undefined && a !== "crc64nvme");
}

/** Compares declared checksums with the computed ones (base64), in S3's order of checks. */
export function checkChecksums(
  declared: Partial<Record<ChecksumAlgorithm, string>>,
  computed: Partial<Record<ChecksumAlgorithm, string>>,
): void {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = declared[algorithm];
    const expected = computed[algorithm];
    if (value === undefined || expected === undefined) continue;
    const bytes = Buffer.from(value, "base64");
    if (bytes.length === 0 || bytes.toString("base64") !== value) throw S3Errors.invalidChecksum(algorithm);
    if (value !== expected) throw S3Errors.badChecksum(algorithm.toUpperCase());
  }
}

/**
 * Collects the checksums a request declares and verifies the ones we can compute over `body`.
 * Returns them keyed by algorithm for storage.
 */
export function verifyChecksums(
  headers: Record<string, string>,
  trailers: Record<string, string>,
  body: Buffer,
): Partial<Record<ChecksumAlgorithm, string>> {
  const declared = declaredChecksums(headers, trailers);
  const computed: Partial<Record<ChecksumAlgorithm, string>> = {};
  for (const algorithm of verifiableAlgorithms(declared))
    computed[algorithm] = computeChecksum(algorithm, body);
  checkChecksums(declared, computed);
  return declared;
}
