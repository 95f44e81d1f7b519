import { S3Errors } from "./errors.js";

/**
 * Bucket naming rules (general purpose buckets) and the key length limit.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export const MAX_KEY_BYTES = 1024;

const BUCKET_CHARS = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const RESERVED_PREFIXES = ["xn--", "sthree-"];
const RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

export function isValidBucketName(name: string): boolean {
  if (!BUCKET_CHARS.test(name)) return false;
  if (name.includes("..") || name.includes(".-") || name.includes("-.")) return false;
  if (IP_ADDRESS.test(name)) return false;
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return false;
  return !RESERVED_SUFFIXES.some((s) => name.endsWith(s));
}

/**
 * Names of buckets that already exist are accepted more loosely by S3 for requests other than
 * CreateBucket (legacy names); we only ever create valid ones, so any other name cannot exist.
 */
export function assertBucketName(name: string): void {
  if (!isValidBucketName(name)) throw S3Errors.invalidBucketName(name);
}

export function assertKey(key: string): void {
  const size = Buffer.byteLength(key, "utf8");
  if (size > MAX_KEY_BYTES) throw S3Errors.keyTooLong(size);
  if (size === 0) throw S3Errors.invalidArgument("Invalid key", "key", key);
}
