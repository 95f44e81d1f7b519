import { CloudTrailClient, DescribeTrailsCommand, ListPublicKeysCommand } from "@aws-sdk/client-cloudtrail";
import {
  GetBucketLocationCommand,
  GetObjectCommand,
  ListObjectsCommand,
  type ListObjectsCommandOutput,
  S3Client,
} from "@aws-sdk/client-s3";
import type { Command } from "commander";
import {
  exitCodeOf,
  type OutputStreams,
  ValidateLogsError,
  ValidateLogsOutput,
  type ValidationSource,
  validateLogs,
} from "../trails/index.js";

export interface ValidateLogsFlags {
  trailArn: string;
  startTime: string;
  endTime?: string;
  s3Bucket?: string;
  s3Prefix?: string;
  accountId?: string;
  verbose?: boolean;
  endpointUrl?: string;
  region?: string;
}

/**
 * `opentrail validate-logs`: the options, output and exit codes of `aws cloudtrail
 * validate-logs` (reference §4.6), against OpenTrail or AWS. Credentials come from the AWS SDK's
 * usual chain (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, profiles); the
 * endpoint from --endpoint-url or AWS_ENDPOINT_URL(_CLOUDTRAIL/_S3); S3 uses path-style URLs.
 */
export function registerValidateLogsCommand(program: Command): void {
  program
    .command("validate-logs")
    .description(
      "validate CloudTrail log files against their signed digest files (as `aws cloudtrail validate-logs`)",
    )
    .requiredOption("--trail-arn <arn>", "ARN of the trail to validate")
    .requiredOption(
      "--start-time <time>",
      'validate log files delivered on or after this UTC time, e.g. "2015-01-08T05:21:42Z"',
    )
    .option("--end-time <time>", "validate log files delivered on or before this UTC time (default: now)")
    .option("--s3-bucket <bucket>", "bucket of the digest files (default: the trail's, from DescribeTrails)")
    .option("--s3-prefix <prefix>", "key prefix of the digest files (default: the trail's)")
    .option("--account-id <id>", "account whose files to validate (default: the trail's)")
    .option("--verbose", "print every digest and log file, not only failures")
    .option("--endpoint-url <url>", "CloudTrail and S3 endpoint (env AWS_ENDPOINT_URL)")
    .option("--region <region>", "Region of the digests to check (env AWS_REGION / AWS_DEFAULT_REGION)")
    .action(async (flags: ValidateLogsFlags) => {
      process.exitCode = await runValidateLogs(flags);
    });
}

const streams: OutputStreams = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

/** Runs the command; resolves with its exit status (0 clean, 1 invalid files, 252 bad arguments, 255 other). */
export async function runValidateLogs(
  flags: ValidateLogsFlags,
  env: NodeJS.ProcessEnv = process.env,
  out: OutputStreams = streams,
  source?: ValidationSource,
): Promise<number> {
  try {
    const start = parseCliTime(flags.startTime);
    const end =
      flags.endTime === undefined
        ? new Date(Math.floor(Date.now() / 1000) * 1000)
        : parseCliTime(flags.endTime);
    const output = new ValidateLogsOutput(out, flags.verbose === true);
    const options = {
      trailArn: flags.trailArn,
      startTime: start,
      endTime: end,
      s3Bucket: flags.s3Bucket,
      s3Prefix: flags.s3Prefix,
      accountId: flags.accountId,
      sourceRegion: flags.region,
    };
    const report = await validateLogs(options, source ?? sdkSource(flags, env), output);
    output.summary(report);
    return exitCodeOf(report);
  } catch (err) {
    out.stderr(`\n${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof ValidateLogsError ? err.exitCode : 255;
  }
}

/** ISO 8601 (a time without a zone is UTC, as dateutil + normalize_date in aws-cli), or a date. */
export function parseCliTime(text: string): Date {
  let t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) t += "T00:00:00Z";
  else if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(t)) t = `${t.replace(" ", "T")}Z`;
  const ms = Date.parse(t);
  if (Number.isNaN(ms)) throw new ValidateLogsError(`Unable to parse date value: ${text}`, 252);
  return new Date(ms);
}

function sdkSource(flags: ValidateLogsFlags, env: NodeJS.ProcessEnv): ValidationSource {
  const region = flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? "us-east-1";
  const endpoint = flags.endpointUrl ?? env.AWS_ENDPOINT_URL;
  // Keys in `env` win; otherwise the SDK's default chain (process env, profiles, ...) applies.
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {
          accessKeyId: env.AWS_ACCESS_KEY_ID,
          secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
          sessionToken: env.AWS_SESSION_TOKEN,
        }
      : undefined;
  const cloudtrail = new CloudTrailClient({
    region,
    credentials,
    endpoint: flags.endpointUrl ?? env.AWS_ENDPOINT_URL_CLOUDTRAIL ?? endpoint,
  });
  const s3Endpoint = flags.endpointUrl ?? env.AWS_ENDPOINT_URL_S3 ?? endpoint;
  const clients = new Map<string, S3Client>();
  const s3In = (r: string) => {
    const known = clients.get(r);
    if (known) return known;
    const client = new S3Client({ region: r, credentials, endpoint: s3Endpoint, forcePathStyle: true });
    clients.set(r, client);
    return client;
  };
  const bucketRegions = new Map<string, Promise<string>>();
  const s3For = async (bucket: string) => {
    let r = bucketRegions.get(bucket);
    if (!r) {
      r = s3In(region)
        .send(new GetBucketLocationCommand({ Bucket: bucket }))
        .then((loc) => loc.LocationConstraint || "us-east-1");
      bucketRegions.set(bucket, r);
    }
    return s3In(await r);
  };
  return {
    findTrail: async (arn) =>
      (await cloudtrail.send(new DescribeTrailsCommand({}))).trailList?.find((t) => t.TrailARN === arn),
    listPublicKeys: async (StartTime, EndTime) =>
      (await cloudtrail.send(new ListPublicKeysCommand({ StartTime, EndTime }))).PublicKeyList ?? [],
    listKeys: async function* (bucket, prefix, marker) {
      const s3 = await s3For(bucket);
      let next: string | undefined = marker;
      for (;;) {
        const page: ListObjectsCommandOutput = await s3.send(
          new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, Marker: next }),
        );
        const keys = (page.Contents ?? []).map((o) => o.Key ?? "");
        yield* keys;
        if (!page.IsTruncated || keys.length === 0) return;
        next = page.NextMarker ?? keys.at(-1);
      }
    },
    getObject: async (bucket, key) => {
      try {
        const res = await (await s3For(bucket)).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return {
          body: Buffer.from((await res.Body?.transformToByteArray()) ?? []),
          metadata: res.Metadata ?? {},
        };
      } catch (err) {
        if ((err as { name?: string }).name === "NoSuchKey") return undefined;
        throw err;
      }
    },
  };
}
