import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LakeObjectStore, LakeRuntime, StoreEntry } from "../lake-runtime.js";
import { lastDayOf } from "../storage/store-files.js";
import { retentionCutoff } from "../stores/store-model.js";
import type { ImportRecord } from "./import-model.js";
import { type FileRecords, MalformedLogFileError, parseLogFile, recordDay } from "./log-file-records.js";

/** Records written per Parquet batch of an import. */
const BATCH_RECORDS = 50_000;

/**
 * Runs one import: lists the files under the S3 prefix, parses each (a malformed one becomes an
 * import failure, never a crash), keeps records inside [StartEventTime, EndEventTime] and the
 * store's retention, and writes them into the destination store skipping every eventID the
 * store already has, so importing the same files twice adds nothing. Progress (files, events,
 * prefixes) is saved as it goes; StopImport ends it between files.
 */
export async function runImport(
  rt: LakeRuntime,
  record: ImportRecord,
  source: LakeObjectStore,
): Promise<void> {
  const { bucket, prefix } = splitUri(record.source.uri);
  const keys: string[] = [];
  for await (const o of source.listObjects(bucket, prefix)) if (!o.key.endsWith("/")) keys.push(o.key);
  const prefixes = new Map<string, number>();
  for (const k of keys) prefixes.set(dirOf(k), (prefixes.get(dirOf(k)) ?? 0) + 1);
  record.stats.prefixesFound = prefixes.size;
  record.status = "IN_PROGRESS";
  save(rt, record);
  const done = new Set(record.doneKeys);
  let batch: Array<Record<string, unknown>> = [];
  let batchKeys: string[] = [];
  for (const key of keys) {
    if (done.has(key)) continue;
    if (rt.imports.stopped(record.id)) break;
    const parsed = await readFile(rt, record, source, bucket, key);
    if (parsed) batch.push(...parsed.records.filter((r) => inWindow(record, r)));
    batchKeys.push(key);
    if (batch.length >= BATCH_RECORDS) {
      await flush(rt, record, batch, batchKeys, prefixes);
      batch = [];
      batchKeys = [];
    }
  }
  await flush(rt, record, batch, batchKeys, prefixes);
  if (rt.imports.stopped(record.id)) record.status = "STOPPED";
  else if (record.status === "IN_PROGRESS")
    record.status =
      record.stats.filesCompleted === 0 && record.stats.failedEntries > 0 ? "FAILED" : "COMPLETED";
  save(rt, record);
}

async function readFile(
  rt: LakeRuntime,
  record: ImportRecord,
  source: LakeObjectStore,
  bucket: string,
  key: string,
): Promise<FileRecords | undefined> {
  try {
    const object = await source.getObject(bucket, key);
    if (!object) throw new MalformedLogFileError("FileNotFound", "The object disappeared during the import.");
    return parseLogFile(object.body);
  } catch (e) {
    const errorType = e instanceof MalformedLogFileError ? e.errorType : "InternalError";
    rt.db.putImportFailure(record.id, `s3://${bucket}/${key}`, {
      Location: `s3://${bucket}/${key}`,
      Status: "FAILED",
      ErrorType: errorType,
      ErrorMessage: (e as Error).message.slice(0, 1000),
      LastUpdatedTime: rt.now(),
    });
    record.stats.failedEntries++;
    return undefined;
  }
}

async function flush(
  rt: LakeRuntime,
  record: ImportRecord,
  batch: Array<Record<string, unknown>>,
  keys: string[],
  prefixes: Map<string, number>,
): Promise<void> {
  if (keys.length === 0) return;
  for (const arn of record.destinations) {
    const entry = rt.findStore(record.accountId, arn);
    if (batch.length > 0) record.stats.eventsCompleted += await writeBatch(rt, entry, batch);
  }
  const failed = new Set(rt.db.importFailures<{ Location: string }>(record.id).map((f) => f.Location));
  for (const key of keys) {
    record.doneKeys.push(key);
    if (!failed.has(`s3://${splitUri(record.source.uri).bucket}/${key}`)) record.stats.filesCompleted++;
    const dir = dirOf(key);
    const left = (prefixes.get(dir) ?? 1) - 1;
    prefixes.set(dir, left);
    if (left === 0) record.stats.prefixesCompleted++;
  }
  save(rt, record);
}

/** Writes records into a store, skipping eventIDs it already holds; returns how many were new. */
async function writeBatch(rt: LakeRuntime, entry: StoreEntry, batch: Array<Record<string, unknown>>) {
  const days = new Set(batch.map(recordDay));
  const tmp = join(rt.writer.scratchDir, `import-${entry.record.id}-${process.hrtime.bigint()}.jsonl`);
  await writeFile(tmp, `${batch.map((r) => JSON.stringify(r)).join("\n")}\n`);
  try {
    return await entry.files.exclusive(async () => {
      const existing = entry.files.list
        .filter((f) => [...days].some((d) => f.day <= d && d <= lastDayOf(f)))
        .map((f) => join(entry.files.dir, f.path));
      const added = await rt.writer.writeJsonLines(tmp, {
        storeDir: entry.files.dir,
        cutoff: retentionCutoff(entry.record, rt.now()),
        dedupeAgainst: existing,
      });
      await entry.files.commit(added, []);
      return added.reduce((a, f) => a + f.rows, 0);
    });
  } finally {
    await rm(tmp, { force: true });
  }
}

function inWindow(record: ImportRecord, r: Record<string, unknown>): boolean {
  const t = Date.parse(String(r.eventTime));
  if (Number.isNaN(t)) return false;
  return (record.startEventTime ?? -Infinity) <= t && t <= (record.endEventTime ?? Infinity);
}

function save(rt: LakeRuntime, record: ImportRecord): void {
  record.updatedAt = rt.now();
  rt.db.putRecord("imports", record.id, record, record.createdAt);
}

export function splitUri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  return { bucket: m?.[1] ?? "", prefix: m?.[2] ?? "" };
}

function dirOf(key: string): string {
  const i = key.lastIndexOf("/");
  return i < 0 ? "" : key.slice(0, i);
}
