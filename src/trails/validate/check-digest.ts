import { createPublicKey, type KeyObject } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { digestStringToSign, verifyString } from "../digest/digest-file.js";
import type { SourceObject, SourcePublicKey } from "./validation-source.js";

/** A digest that failed validation; the message is the full output line, as the AWS CLI prints it. */
export class DigestError extends Error {}

const REQUIRED = [
  "digestPublicKeyFingerprint",
  "digestS3Bucket",
  "digestS3Object",
  "previousDigestSignature",
  "digestEndTime",
  "digestStartTime",
] as const;

export interface LoadedDigest {
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  previousDigestS3Bucket?: string | null;
  previousDigestS3Object?: string | null;
  logFiles?: Array<{ s3Bucket: string; s3Object: string; hashValue: string }>;
  [field: string]: unknown;
}

const line = (bucket: string, key: string, what: string) =>
  `Digest file\ts3://${bucket}/${key}\tINVALID: ${what}`;

/**
 * aws-cli's `_load_and_validate_digest` + `Sha256RSADigestValidator`, in its order: inflate and
 * parse, signature metadata present, required keys, stored location, known fingerprint, key
 * loads as PKCS#1, signature verifies over the string to sign.
 */
export function checkDigest(
  obj: SourceObject,
  bucket: string,
  key: string,
  keys: ReadonlyMap<string, SourcePublicKey>,
  homeRegion: string,
): LoadedDigest {
  let raw: Buffer;
  let digest: LoadedDigest;
  try {
    raw = gunzipSync(obj.body);
    digest = JSON.parse(raw.toString("utf8")) as LoadedDigest;
  } catch {
    throw new DigestError(line(bucket, key, "invalid format"));
  }
  const signature = obj.metadata.signature;
  if (signature === undefined || obj.metadata["signature-algorithm"] === undefined)
    throw new DigestError(line(bucket, key, "signature verification failed"));
  if (typeof digest !== "object" || digest === null || REQUIRED.some((k) => !(k in digest)))
    throw new DigestError(line(bucket, key, "invalid format"));
  if (digest.digestS3Bucket !== bucket || digest.digestS3Object !== key)
    throw new DigestError(line(bucket, key, "has been moved from its original location"));
  const fingerprint = String(digest.digestPublicKeyFingerprint);
  const publicKey = keys.get(fingerprint);
  if (!publicKey)
    throw new DigestError(
      line(bucket, key, `public key not found in region ${homeRegion} for fingerprint ${fingerprint}`),
    );
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: Buffer.from(publicKey.Value ?? []), format: "der", type: "pkcs1" });
  } catch {
    throw new DigestError(line(bucket, key, `Unable to load PKCS #1 key with fingerprint ${fingerprint}`));
  }
  const toSign = digestStringToSign(
    {
      digestEndTime: String(digest.digestEndTime),
      digestS3Bucket: digest.digestS3Bucket,
      digestS3Object: digest.digestS3Object,
      previousDigestSignature: (digest.previousDigestSignature as string | null) ?? null,
    },
    raw,
  );
  if (!verifyString(toSign, signature, keyObject))
    throw new DigestError(line(bucket, key, "signature verification failed"));
  return digest;
}
