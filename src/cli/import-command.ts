import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import {
  CloudTrailClient,
  GetEventDataStoreCommand,
  GetImportCommand,
  type GetImportResponse,
  ListImportFailuresCommand,
  StartImportCommand,
} from "@aws-sdk/client-cloudtrail";
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Command } from "commander";

/**
 * `opentrail import <folder|s3://bucket/prefix> --event-data-store <id|arn>`: imports CloudTrail
 * log files (gzip or plain `{"Records":[...]}`, or JSON arrays of records) into an event data
 * store through the API, like the AWS CLI would: a local folder is first uploaded to a staging
 * prefix of the server's S3 (bucket `opentrail-import-<account>`), then StartImport runs and
 * GetImport is polled for progress. Re-importing the same files adds nothing (events are
 * matched by eventID); malformed files are listed as import failures.
 */
export function registerImportCommand(program: Command): void {
  program
    .command("import <source>")
    .description("import CloudTrail log files from a folder or s3://bucket/prefix into an event data store")
    .requiredOption("--event-data-store <id-or-arn>", "destination event data store")
    .option("--endpoint-url <url>", "service endpoint (default: env AWS_ENDPOINT_URL, else AWS)")
    .option("--region <region>", "region (default: the AWS SDK's, e.g. env AWS_REGION)")
    .action(async (source: string, flags: ImportFlags) => {
      const config = { endpoint: flags.endpointUrl, region: flags.region };
      const ct = new CloudTrailClient(config);
      const s3 = new S3Client({ ...config, forcePathStyle: true });
      try {
        const summary = await runImport(ct, s3, source, flags.eventDataStore, progressBar());
        process.stdout.write(`${summary}\n`);
      } finally {
        ct.destroy();
        s3.destroy();
      }
    });
}

interface ImportFlags {
  eventDataStore: string;
  endpointUrl?: string;
  region?: string;
}

export class ImportCommandError extends Error {
  override name = "ImportCommandError";
}

export type Progress = (label: string, done: number, total: number, extra?: string) => void;

export async function runImport(
  ct: CloudTrailClient,
  s3: S3Client,
  source: string,
  store: string,
  progress: Progress,
): Promise<string> {
  const { EventDataStoreArn: arn } = await ct.send(new GetEventDataStoreCommand({ EventDataStore: store }));
  const account = (arn ?? "").split(":")[4] ?? "";
  let uri = source;
  let staged: { bucket: string; keys: string[] } | undefined;
  if (!source.startsWith("s3://")) {
    staged = await stageFolder(s3, source, account, progress);
    uri = `s3://${staged.bucket}/${staged.keys[0]?.split("/")[0] ?? ""}`;
  }
  const started = await ct.send(
    new StartImportCommand({
      Destinations: [arn as string],
      ImportSource: {
        S3: {
          S3LocationUri: uri,
          S3BucketRegion: (await ct.config.region()) ?? "us-east-1",
          S3BucketAccessRoleArn: `arn:aws:iam::${account}:role/OpenTrailImport`,
        },
      },
    }),
  );
  let state: GetImportResponse;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    state = await ct.send(new GetImportCommand({ ImportId: started.ImportId }));
    const s = state.ImportStatistics ?? {};
    const total = staged?.keys.length ?? s.FilesCompleted ?? 0;
    progress(
      "import",
      (s.FilesCompleted ?? 0) + (s.FailedEntries ?? 0),
      total,
      `${s.EventsCompleted ?? 0} events`,
    );
    if (state.ImportStatus !== "INITIALIZING" && state.ImportStatus !== "IN_PROGRESS") break;
    await new Promise((r) => setTimeout(r, delay));
  }
  if (staged)
    for (const key of staged.keys)
      await s3.send(new DeleteObjectCommand({ Bucket: staged.bucket, Key: key }));
  const failures = await ct.send(new ListImportFailuresCommand({ ImportId: started.ImportId }));
  const s = state.ImportStatistics ?? {};
  const lines = [
    `import ${started.ImportId} ${state.ImportStatus}: ${s.FilesCompleted ?? 0} files, ${s.EventsCompleted ?? 0} new events, ${s.FailedEntries ?? 0} failed files`,
    ...(failures.Failures ?? []).map((f) => `  failed ${f.Location}: ${f.ErrorType}: ${f.ErrorMessage}`),
  ];
  if (state.ImportStatus === "FAILED") throw new ImportCommandError(lines.join("\n"));
  return lines.join("\n");
}

async function stageFolder(s3: S3Client, folder: string, account: string, progress: Progress) {
  const files = listFiles(folder);
  if (files.length === 0) throw new ImportCommandError(`no files in ${folder}`);
  const bucket = `opentrail-import-${account}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((e: { name?: string }) => {
    if (e.name !== "BucketAlreadyOwnedByYou" && e.name !== "BucketAlreadyExists") throw e;
  });
  const prefix = `staging-${Date.now()}-${randomBytes(4).toString("hex")}`;
  const keys: string[] = [];
  for (const [i, file] of files.entries()) {
    const key = `${prefix}/${relative(folder, file).split("\\").join("/")}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(file) }));
    keys.push(key);
    progress("upload", i + 1, files.length);
  }
  return { bucket, keys };
}

function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? listFiles(join(path, e.name)) : e.isFile() ? [join(path, e.name)] : [],
    )
    .sort();
}

/** A one-line bar on stderr when it is a terminal; silent otherwise (scripts read stdout). */
function progressBar(): Progress {
  return (label, done, total, extra) => {
    if (!process.stderr.isTTY) return;
    const width = 30;
    const filled = total > 0 ? Math.round((done / total) * width) : 0;
    process.stderr.write(
      `\r${label.padEnd(6)} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} files${extra ? `, ${extra}` : ""} `,
    );
    if (total > 0 && done >= total) process.stderr.write("\n");
  };
}
