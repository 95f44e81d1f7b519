import { createHash } from "node:crypto";

/**
 * CloudTrail's S3 key layout (reference §3.1):
 * `[prefix/]AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_YYYYMMDDTHHmmZ_<unique16>.json.gz`
 * (`CloudTrail-Insight` instead of `CloudTrail` in both places for Insights events)
 * and the digest key `…/CloudTrail-Digest/<region>/YYYY/MM/DD/<acct>_CloudTrail-Digest_<region>_<trail>_<home>_YYYYMMDDTHHMMSSZ.json.gz`.
 * Dates are UTC: the delivery time for log files, digestEndTime for digests.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 */
const pad = (n: number, width = 2) => String(n).padStart(width, "0");

function datePath(d: Date): string {
  return `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

function compactDate(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
}

/** `20150801T0210Z`: the log file name's delivery minute. */
export function logFileTime(d: Date): string {
  return `${compactDate(d)}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}Z`;
}

/** `20150817T150131Z`: the digest file name's end time, with seconds. */
export function digestFileTime(d: Date): string {
  return `${compactDate(d)}T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
}

function withPrefix(prefix: string | undefined, key: string): string {
  return prefix ? `${prefix}/${key}` : key;
}

/** Insights events go to their own folder and file name (reference §3.1). */
export type LogFileKind = "CloudTrail" | "CloudTrail-Insight";

export interface LogFileKeyParts {
  prefix?: string;
  accountId: string;
  region: string;
  deliveredAt: Date;
  unique: string;
  kind?: LogFileKind;
}

export function logFileKey(p: LogFileKeyParts): string {
  const kind = p.kind ?? "CloudTrail";
  const name = `${p.accountId}_${kind}_${p.region}_${logFileTime(p.deliveredAt)}_${p.unique}.json.gz`;
  return withPrefix(
    p.prefix,
    `AWSLogs/${p.accountId}/${kind}/${p.region}/${datePath(p.deliveredAt)}/${name}`,
  );
}

export interface DigestKeyParts {
  prefix?: string;
  accountId: string;
  region: string;
  trailName: string;
  homeRegion: string;
  endTime: Date;
}

export function digestFileKey(p: DigestKeyParts): string {
  const name = `${p.accountId}_CloudTrail-Digest_${p.region}_${p.trailName}_${p.homeRegion}_${digestFileTime(p.endTime)}.json.gz`;
  return withPrefix(
    p.prefix,
    `AWSLogs/${p.accountId}/CloudTrail-Digest/${p.region}/${datePath(p.endTime)}/${name}`,
  );
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/**
 * The 16-character unique string ("has no meaning"), derived from what identifies a batch:
 * the trail, the Region folder, the file kind and the first and last log seq in the file. A
 * replay of the same batch therefore rewrites the same key.
 */
export function uniqueString(
  trailArn: string,
  region: string,
  firstSeq: number,
  lastSeq: number,
  kind: LogFileKind = "CloudTrail",
): string {
  const batch = `${trailArn}\n${region}\n${firstSeq}\n${lastSeq}`;
  const digest = createHash("sha256")
    .update(kind === "CloudTrail" ? batch : `${batch}\n${kind}`)
    .digest();
  let out = "";
  for (let i = 0; i < 16; i++) out += ALPHABET[(digest[i] as number) % ALPHABET.length];
  return out;
}
