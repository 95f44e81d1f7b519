import { gzipSync } from "node:zlib";
import type { DeliveryStatus } from "@aws-sdk/client-cloudtrail";
import { LakeErrors } from "../lake-errors.js";
import type { LakeObjectStore } from "../lake-runtime.js";
import type { QueryRecord } from "./query-model.js";
import { readRows } from "./result-file.js";

const URI = /^s3:\/\/([a-z0-9][.\-a-z0-9]{1,61}[a-z0-9])(\/.*)?$/;

export function parseDeliveryUri(uri: string): { bucket: string; prefix: string } {
  const m = URI.exec(uri);
  if (!m || uri.length > 1024) throw LakeErrors.invalidS3BucketName(uri);
  return { bucket: m[1] as string, prefix: (m[2] ?? "").replace(/^\/+|\/+$/g, "") };
}

/**
 * StartQuery's DeliveryS3Uri must name an existing bucket of the built-in store that the
 * caller's account owns (OpenTrail's stand-in for CloudTrail's bucket-policy check).
 */
export async function checkDeliveryUri(
  objects: LakeObjectStore,
  uri: string,
  accountId: string,
): Promise<void> {
  const { bucket } = parseDeliveryUri(uri);
  const info = await objects.headBucket(bucket);
  if (!info.exists) throw LakeErrors.bucketDoesNotExist(bucket);
  if (info.ownerAccountId && info.ownerAccountId !== accountId)
    throw LakeErrors.insufficientBucketPolicy(bucket);
}

/**
 * Writes a finished query's results where CloudTrail does: gzip CSV with a header row under
 * `<prefix>/AWSLogs/<account>/CloudTrail-Lake/Query/YYYY/MM/DD/<queryId>/result_1.csv.gz`.
 * (CloudTrail also writes a signed `result_sign.json`; OpenTrail does not sign results yet.)
 */
export async function deliverResults(
  objects: LakeObjectStore,
  record: QueryRecord,
  resultPath: string,
): Promise<DeliveryStatus> {
  try {
    const { bucket, prefix } = parseDeliveryUri(record.deliveryS3Uri as string);
    const rows = await readRows(resultPath, record.offsets, 0, record.resultsCount);
    const csv = [record.columns, ...rows].map((r) => r.map(csvField).join(",")).join("\n");
    const day = new Date(record.createdAt).toISOString().slice(0, 10).replaceAll("-", "/");
    const key = `${prefix ? `${prefix}/` : ""}AWSLogs/${record.accountId}/CloudTrail-Lake/Query/${day}/${record.id}/result_1.csv.gz`;
    await objects.putObject(bucket, key, gzipSync(`${csv}\n`), { contentType: "text/csv" });
    return "SUCCESS";
  } catch {
    return "FAILED";
  }
}

function csvField(v: string | null): string {
  if (v === null) return "";
  return /[",\n\r]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}
