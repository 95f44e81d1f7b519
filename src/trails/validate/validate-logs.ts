import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { checkDigest, DigestError, type LoadedDigest } from "./check-digest.js";
import {
  type ChainId,
  digestKeyDate,
  digestKeyPattern,
  digestListPrefix,
  digestMarker,
  listDigestKeys,
  parseKeyDate,
} from "./digest-listing.js";
import { type SourcePublicKey, ValidateLogsError, type ValidationSource } from "./validation-source.js";

export interface ValidateLogsOptions {
  trailArn: string;
  startTime: Date;
  /** Default: now. */
  endTime?: Date;
  s3Bucket?: string;
  s3Prefix?: string;
  accountId?: string;
  /** The Region whose digests are checked (the CLI's --region); default the trail's home Region. */
  sourceRegion?: string;
}

export type LogFileProblem = "hash value doesn't match" | "not found" | "invalid format";

/** What the traversal finds, in order; the CLI formatter turns these into AWS's lines. */
export interface ValidationReporter {
  /** The trail is known and its files are about to be read (aws-cli prints its first line here). */
  started?(trailArn: string, start: Date, end: Date): void;
  digestValid(digest: LoadedDigest): void;
  /** `message` is the complete line, e.g. `Digest file\ts3://b/k\tINVALID: signature verification failed`. */
  digestInvalid(message: string): void;
  digestMissing(bucket: string, key: string): void;
  gap(nextEnd: Date, lastStart: Date): void;
  logValid(bucket: string, key: string): void;
  logInvalid(bucket: string, key: string, problem: LogFileProblem): void;
}

export interface ValidationReport {
  startTime: Date;
  endTime: Date;
  validDigests: number;
  invalidDigests: number;
  validLogs: number;
  invalidLogs: number;
  /** The span covered by valid digests, clipped to the request (undefined when none). */
  foundStart?: Date;
  foundEnd?: Date;
}

const TRAIL_ARN = /^arn:.+:cloudtrail:.+:\d{12}:trail\/.+/;
const fmt = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/**
 * `aws cloudtrail validate-logs` without its shell: walks the digest chain backwards from the
 * newest digest in range, verifying each digest (signature, location, key) and each log file it
 * lists (SHA-256 of the inflated bytes), reporting gaps, missing and invalid files the way
 * aws-cli's DigestTraverser does (reference §4.6). Throws ValidateLogsError for bad arguments,
 * an unknown trail or no public keys.
 */
export async function validateLogs(
  options: ValidateLogsOptions,
  source: ValidationSource,
  reporter: ValidationReporter,
): Promise<ValidationReport> {
  const { trailArn, startTime: start } = options;
  const end = options.endTime ?? new Date();
  if (start.getTime() > end.getTime())
    throw new ValidateLogsError("Invalid time range specified: start-time must occur before end-time", 252);
  if (!TRAIL_ARN.test(trailArn)) throw new ValidateLogsError(`Invalid trail ARN provided: ${trailArn}`, 252);
  let bucket = options.s3Bucket;
  let prefix = options.s3Prefix;
  if (bucket === undefined) {
    const trail = await source.findTrail(trailArn);
    if (!trail?.S3BucketName) throw new ValidateLogsError(`A trail could not be found for ${trailArn}`, 255);
    if (trail.IsOrganizationTrail)
      throw new ValidateLogsError("Organization trails are not supported by OpenTrail", 255);
    bucket = trail.S3BucketName;
    prefix = trail.S3KeyPrefix || undefined;
  }
  reporter.started?.(trailArn, start, end);
  const parts = trailArn.split(":");
  const homeRegion = parts[3] as string;
  const chain: ChainId = {
    accountId: options.accountId ?? (parts[4] as string),
    trailName: trailArn.split("/").at(-1) as string,
    homeRegion,
    sourceRegion: options.sourceRegion ?? homeRegion,
  };
  const report: ValidationReport = {
    startTime: start,
    endTime: end,
    validDigests: 0,
    invalidDigests: 0,
    validLogs: 0,
    invalidLogs: 0,
  };
  const load = (b: string) =>
    listDigestKeys(
      source.listKeys(b, digestListPrefix(chain, prefix), digestMarker(chain, prefix, start)),
      digestKeyPattern(chain, prefix),
      start,
      end,
    );
  let digests = await load(bucket);
  const keys = await publicKeys(source, start, new Date(end.getTime() + 2 * 3600_000));
  const counting: ValidationReporter = {
    ...reporter,
    digestInvalid: (m) => {
      report.invalidDigests++;
      reporter.digestInvalid(m);
    },
    digestMissing: (b, k) => {
      report.invalidDigests++;
      reporter.digestMissing(b, k);
    },
  };

  let [key, endDate] = lastDigest(digests);
  let lastStart = endDate;
  while (key && lastStart && start.getTime() <= lastStart.getTime()) {
    const current = key;
    const where = bucket;
    let digest: LoadedDigest;
    try {
      const obj = await source.getObject(where, current);
      if (!obj) {
        [key, endDate] = findNext(digests, current, () => counting.digestMissing(where, current));
        continue;
      }
      digest = checkDigest(obj, where, current, keys, homeRegion);
    } catch (err) {
      const message =
        err instanceof DigestError
          ? err.message
          : `Digest file\ts3://${where}/${current}\tINVALID: ${String((err as Error)?.message ?? err)}`;
      [key, endDate] = findNext(digests, current, () => counting.digestInvalid(message));
      continue;
    }
    endDate = new Date(String(digest.digestEndTime));
    lastStart = new Date(String(digest.digestStartTime));
    track(report, digest, start, end);
    report.validDigests++;
    reporter.digestValid(digest);
    for (const log of digest.logFiles ?? []) await checkLog(source, log, report, reporter);
    const prevBucket = digest.previousDigestS3Bucket ?? null;
    const prevKey = digest.previousDigestS3Object ?? null;
    if (prevBucket === null || prevKey === null) {
      const last = lastStart;
      [key, endDate] = findNext(digests, current, (next) => next && reporter.gap(next, last));
    } else {
      key = prevKey;
      if (prevBucket !== bucket) {
        bucket = prevBucket;
        digests = await load(bucket);
      }
    }
  }
  return report;
}

async function publicKeys(
  source: ValidationSource,
  start: Date,
  end: Date,
): Promise<Map<string, SourcePublicKey>> {
  const list = await source.listPublicKeys(start, end);
  if (list.length === 0)
    throw new ValidateLogsError(`No public keys found between ${fmt(start)} and ${fmt(end)}`, 255);
  return new Map(list.map((k) => [k.Fingerprint ?? "", k]));
}

/** `_get_last_digest`: pops the newest remaining key (older than `before`, when given). */
function lastDigest(digests: string[], before?: string): [string | undefined, Date | undefined] {
  const limit = before ? parseKeyDate(digestKeyDate(before)) : undefined;
  while (digests.length > 0) {
    const key = digests.pop() as string;
    const date = parseKeyDate(digestKeyDate(key));
    if (!limit || (date && date.getTime() < limit.getTime())) return [key, date];
  }
  return [undefined, undefined];
}

function findNext(
  digests: string[],
  lastKey: string,
  notify: (nextEnd: Date | undefined) => void,
): [string | undefined, Date | undefined] {
  const [next, nextEnd] = lastDigest(digests, lastKey);
  notify(next ? nextEnd : undefined);
  return [next, nextEnd];
}

function track(report: ValidationReport, digest: LoadedDigest, start: Date, end: Date): void {
  const s = new Date(Math.max(new Date(digest.digestStartTime).getTime(), start.getTime()));
  const e = new Date(Math.min(new Date(digest.digestEndTime).getTime(), end.getTime()));
  if (!report.foundStart || s < report.foundStart) report.foundStart = s;
  if (!report.foundEnd || e > report.foundEnd) report.foundEnd = e;
}

async function checkLog(
  source: ValidationSource,
  log: { s3Bucket: string; s3Object: string; hashValue: string },
  report: ValidationReport,
  reporter: ValidationReporter,
): Promise<void> {
  const obj = await source.getObject(log.s3Bucket, log.s3Object);
  let problem: LogFileProblem | undefined;
  if (!obj) problem = "not found";
  else {
    try {
      const hash = createHash("sha256").update(gunzipSync(obj.body)).digest("hex");
      if (hash !== log.hashValue) problem = "hash value doesn't match";
    } catch {
      problem = "invalid format";
    }
  }
  if (problem) {
    report.invalidLogs++;
    reporter.logInvalid(log.s3Bucket, log.s3Object, problem);
  } else {
    report.validLogs++;
    reporter.logValid(log.s3Bucket, log.s3Object);
  }
}
