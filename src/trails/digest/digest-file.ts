import { createSign, createVerify, type KeyObject } from "node:crypto";
import { sha256Hex } from "../delivery/log-file.js";

/**
 * The digest file (reference §4.1–4.3): JSON in CloudTrail's field order, gzip-stored, signed
 * SHA256withRSA over `digestEndTime \n bucket/key \n sha256(uncompressed digest) \n
 * previousDigestSignature-or-"null"` (no trailing newline). The signature travels as S3 metadata.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html
 */
export const SIGNATURE_ALGORITHM = "SHA256withRSA";
export const HASH_ALGORITHM = "SHA-256";

export interface DigestLogFile {
  s3Bucket: string;
  s3Object: string;
  hashValue: string;
  hashAlgorithm: typeof HASH_ALGORITHM;
  newestEventTime: string;
  oldestEventTime: string;
}

export interface PreviousDigest {
  bucket: string;
  key: string;
  /** Hex SHA-256 of the previous digest's uncompressed bytes. */
  hash: string;
  signature: string;
}

export interface DigestFile {
  awsAccountId: string;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm: string;
  newestEventTime: string | null;
  oldestEventTime: string | null;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestHashAlgorithm: string | null;
  previousDigestSignature: string | null;
  logFiles: DigestLogFile[];
}

export interface DigestInput {
  accountId: string;
  startTime: string;
  endTime: string;
  bucket: string;
  key: string;
  fingerprint: string;
  previous: PreviousDigest | null;
  logFiles: DigestLogFile[];
}

/** Builds the digest object in CloudTrail's field order; empty intervals get null times. */
export function buildDigest(input: DigestInput): DigestFile {
  const { previous, logFiles } = input;
  const newest = logFiles.reduce<string | null>(
    (m, f) => (m === null || f.newestEventTime > m ? f.newestEventTime : m),
    null,
  );
  const oldest = logFiles.reduce<string | null>(
    (m, f) => (m === null || f.oldestEventTime < m ? f.oldestEventTime : m),
    null,
  );
  return {
    awsAccountId: input.accountId,
    digestStartTime: input.startTime,
    digestEndTime: input.endTime,
    digestS3Bucket: input.bucket,
    digestS3Object: input.key,
    digestPublicKeyFingerprint: input.fingerprint,
    digestSignatureAlgorithm: SIGNATURE_ALGORITHM,
    newestEventTime: newest,
    oldestEventTime: oldest,
    previousDigestS3Bucket: previous?.bucket ?? null,
    previousDigestS3Object: previous?.key ?? null,
    previousDigestHashValue: previous?.hash ?? null,
    previousDigestHashAlgorithm: previous ? HASH_ALGORITHM : null,
    previousDigestSignature: previous?.signature ?? null,
    logFiles,
  };
}

export interface SignedFields {
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  previousDigestSignature: string | null;
}

/** The exact string AWS's validator rebuilds (`_create_string_to_sign` in aws-cli). */
export function digestStringToSign(digest: SignedFields, uncompressed: Buffer): string {
  return [
    digest.digestEndTime,
    `${digest.digestS3Bucket}/${digest.digestS3Object}`,
    sha256Hex(uncompressed),
    digest.previousDigestSignature ?? "null",
  ].join("\n");
}

/** RSASSA-PKCS1-v1_5 with SHA-256, lower-case hex. */
export function signString(stringToSign: string, privateKey: KeyObject): string {
  return createSign("RSA-SHA256").update(stringToSign, "utf8").sign(privateKey, "hex");
}

export function verifyString(stringToSign: string, signatureHex: string, publicKey: KeyObject): boolean {
  if (!/^([0-9a-fA-F]{2})+$/.test(signatureHex)) return false;
  return createVerify("RSA-SHA256").update(stringToSign, "utf8").verify(publicKey, signatureHex, "hex");
}
