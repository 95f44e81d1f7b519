import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../config/logger.js";
import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import type { EventLog } from "../log/index.js";
import type { EventDraft } from "../recorder/event-sink.js";
import { compileSelectors, type EventPredicate } from "../trails/index.js";
import { type ChannelRecord, parseChannelRef } from "./channels/channel-model.js";
import { ImportRegistry } from "./imports/import-registry.js";
import { LakeDb } from "./lake-db.js";
import { LakeErrors } from "./lake-errors.js";
import { ResourcePolicies } from "./policies/resource-policies.js";
import { deliverResults } from "./query/deliver-results.js";
import { QueryEngine } from "./query/query-engine.js";
import { SandboxPool } from "./query/sandbox.js";
import { BatchStages, type IngestingStore } from "./storage/batch-stages.js";
import { ParquetWriter } from "./storage/parquet-writer.js";
import { StoreFiles } from "./storage/store-files.js";
import { ingestConsumerName, StoreIngest } from "./storage/store-ingest.js";
import {
  PENDING_DELETION_MS,
  parseStoreRef,
  retentionCutoff,
  type StoreRecord,
} from "./stores/store-model.js";

/** Where import and delivery read and write objects: the built-in store or external S3. */
export interface LakeObjectStore {
  headBucket(bucket: string): Promise<{ exists: boolean; ownerAccountId?: string; region?: string }>;
  getObject(bucket: string, key: string): Promise<{ body: Buffer } | undefined>;
  putObject(bucket: string, key: string, body: Buffer, opts?: { contentType?: string }): Promise<unknown>;
  listObjects(
    bucket: string,
    prefix: string,
    startAfter?: string,
  ): AsyncIterable<{ key: string; size: number }>;
}

export interface LakeOptions {
  dataDir: string;
  log: EventLog;
  /** The recorder's batch path (PutAuditEvents); resolves once durable. */
  recordBatch(drafts: EventDraft[]): Promise<CloudTrailEvent[]>;
  /** The built-in S3 store (query delivery, imports). */
  objects: LakeObjectStore;
  /** An external S3 endpoint imports may read from when the bucket is not built in. */
  externalObjects?: LakeObjectStore;
  queryTimeoutSeconds: number;
  queryMemoryLimit: string;
  maxRunningQueries?: number;
  /** Minimum interval between two Parquet writes of one store (default 500 ms). */
  ingestIntervalMs?: number;
  /** Compaction, retention and purge period (default 30 s). */
  maintenanceIntervalMs?: number;
  now?: () => number;
  logger: Logger;
}

export interface StoreEntry {
  record: StoreRecord;
  files: StoreFiles;
  ingest: StoreIngest;
  predicate: EventPredicate;
  /** The store as the shared batch stages judge events for it. */
  judge: IngestingStore;
}

/**
 * The Lake's shared state: metadata, event data stores with their files and ingest consumers,
 * channels, the Parquet writer, the query sandbox and engine, and the maintenance timer
 * (compaction, retention, purging stores whose pending deletion ended and week-old queries).
 */
export class LakeRuntime {
  readonly stores = new Map<string, StoreEntry>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly storesDir: string;
  readonly imports: ImportRegistry;
  /** Compiled resource policies of stores and channels. */
  readonly policies = new ResourcePolicies();
  readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private maintaining: Promise<void> = Promise.resolve();
  /** Compactions due soon, by store id: cleared at stop, so none runs on a closed runtime. */
  private readonly compactions = new Map<string, NodeJS.Timeout>();
  private stopping = false;
  private readonly stages: BatchStages;

  private constructor(
    readonly opts: LakeOptions,
    readonly db: LakeDb,
    readonly writer: ParquetWriter,
    readonly sandbox: SandboxPool,
    readonly engine: QueryEngine,
  ) {
    this.storesDir = join(opts.dataDir, "lake", "stores");
    this.imports = new ImportRegistry(db);
    this.now = opts.now ?? Date.now;
    this.stages = new BatchStages(writer, () => this.ingestingStores());
  }

  static async open(opts: LakeOptions): Promise<LakeRuntime> {
    const root = join(opts.dataDir, "lake");
    const db = new LakeDb(join(root, "lake.db"));
    const tmpDir = join(root, "tmp");
    await rm(tmpDir, { recursive: true, force: true });
    // One thread per statement: ingest already runs statements in parallel (a batch is staged
    // while stores write the one before, each store on a connection of its own), and on a
    // shared machine a second thread per statement cost about a third more CPU per event.
    const writer = await ParquetWriter.open({ tmpDir, memoryLimit: "1GB", threads: 1 });
    const sandbox = new SandboxPool({
      storesDir: join(root, "stores"),
      tmpDir,
      memoryLimit: opts.queryMemoryLimit,
      threads: 2,
    });
    const engine = new QueryEngine({
      db,
      sandbox,
      resultsDir: join(root, "results"),
      timeoutMs: opts.queryTimeoutSeconds * 1000,
      maxRunning: opts.maxRunningQueries ?? 4,
      now: opts.now ?? Date.now,
      logger: opts.logger,
      deliver: (record, path) => deliverResults(opts.objects, record, path),
    });
    const rt = new LakeRuntime(opts, db, writer, sandbox, engine);
    for (const c of db.loadRecords<ChannelRecord>("channels")) rt.channels.set(c.id, c);
    for (const s of db.loadRecords<StoreRecord>("stores")) {
      const entry = rt.addStore(s);
      await entry.files.removeOrphans();
    }
    return rt;
  }

  storeDir(record: StoreRecord): string {
    return join(this.storesDir, this.storeFolder(record));
  }

  /** The store's folder relative to `storesDir` (what a query sandbox is allowed to read). */
  storeFolder(record: StoreRecord): string {
    return join(record.accountId, record.id);
  }

  /** Registers a store (new or loaded) with its files and consumer (not started). */
  addStore(record: StoreRecord): StoreEntry {
    const files = new StoreFiles(this.db, record.id, this.storeDir(record));
    const entry: StoreEntry = {
      record,
      files,
      predicate: compileSelectors({ advancedEventSelectors: record.selectors }),
      ingest: undefined as unknown as StoreIngest,
      judge: undefined as unknown as IngestingStore,
    };
    const judge: IngestingStore = { id: record.id, accepts: (event) => this.accepts(entry, event) };
    entry.judge = judge;
    entry.ingest = new StoreIngest({
      log: this.opts.log,
      db: this.db,
      files,
      writer: this.writer,
      cutoff: () => retentionCutoff(entry.record, this.now()),
      stage: (records) => this.stages.acquire(records, judge),
      minIntervalMs: this.opts.ingestIntervalMs ?? 500,
      logger: this.opts.logger,
      wrote: () => this.scheduleCompaction(entry),
    });
    this.stores.set(record.id, entry);
    return entry;
  }

  saveStore(entry: StoreEntry, nextSeq?: number): void {
    entry.predicate = compileSelectors({ advancedEventSelectors: entry.record.selectors });
    this.db.putStore(entry.record.id, entry.record, nextSeq);
  }

  /** A channel of the caller's account by ARN or ID; NotFound (or ARNInvalid) otherwise. */
  findChannel(accountId: string, ref: string): ChannelRecord {
    const parsed = parseChannelRef(ref);
    const channel = this.channels.get(parsed.id);
    if (!channel || channel.accountId !== accountId || (parsed.accountId && parsed.accountId !== accountId))
      throw LakeErrors.channelNotFound(ref);
    return channel;
  }

  /** A store of the caller's account by ARN or ID; NotFound (or ARNInvalid) otherwise. */
  findStore(accountId: string, ref: string): StoreEntry {
    const parsed = parseStoreRef(ref);
    const entry = this.stores.get(parsed.id);
    if (
      !entry ||
      entry.record.accountId !== accountId ||
      (parsed.accountId && parsed.accountId !== accountId)
    )
      throw LakeErrors.storeNotFound(ref);
    return entry;
  }

  /** Starts ingesting; `fromNow` skips what was recorded while the store was not ingesting. */
  startIngest(entry: StoreEntry, fromNow: boolean): void {
    if (fromNow) this.db.setCursor(entry.record.id, this.opts.log.endSeq);
    entry.ingest.start();
  }

  async dropStore(entry: StoreEntry): Promise<void> {
    await entry.ingest.stop();
    await this.opts.log.dropConsumer(ingestConsumerName(entry.record.id));
    await entry.files.exclusive(() => entry.files.destroy());
    this.db.deleteStore(entry.record.id);
    this.stores.delete(entry.record.id);
    this.sandbox.retire(this.storeFolder(entry.record));
  }

  start(): void {
    for (const entry of this.stores.values()) if (entry.record.status === "ENABLED") entry.ingest.start();
    const every = this.opts.maintenanceIntervalMs ?? 30_000;
    this.timer = setInterval(() => void this.maintain(), every);
    this.timer.unref();
  }

  /** One maintenance round (also run by tests): compaction, retention, purges. */
  maintain(): Promise<void> {
    this.maintaining = this.maintaining
      .then(() => this.maintainOnce())
      .catch((err) => {
        this.opts.logger.error("lake maintenance failed", { error: String(err) });
      });
    return this.maintaining;
  }

  async stop(): Promise<void> {
    // Ingest still finishing its batch below must not schedule a compaction either.
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    for (const timer of this.compactions.values()) clearTimeout(timer);
    this.compactions.clear();
    await this.imports.stopAll();
    await this.engine.stop();
    await Promise.all([...this.stores.values()].map((e) => e.ingest.stop()));
    await this.maintaining;
    for (const e of this.stores.values()) await e.files.exclusive(async () => undefined);
    await this.sandbox.close();
    await this.stages.clear();
    this.writer.close();
    this.db.close();
  }

  private ingestingStores(): IngestingStore[] {
    const out: IngestingStore[] = [];
    for (const e of this.stores.values()) if (e.ingest.running) out.push(e.judge);
    return out;
  }

  private accepts(entry: StoreEntry, event: CloudTrailEvent): boolean {
    const r = entry.record;
    const account = event.recipientAccountId ?? event.userIdentity?.accountId;
    if (account !== r.accountId) return false;
    if (!r.multiRegionEnabled && event.awsRegion !== r.region) return false;
    if (event.eventCategory === "ActivityAuditLog") {
      const channelArn = (event.metadata as { channelARN?: string } | undefined)?.channelARN;
      const channel = [...this.channels.values()].find((c) => c.arn === channelArn);
      if (!channel?.destinations.includes(r.arn)) return false;
    }
    return entry.predicate(event);
  }

  private scheduleCompaction(entry: StoreEntry): void {
    if (this.stopping || this.compactions.has(entry.record.id)) return;
    const timer = setTimeout(() => {
      this.compactions.delete(entry.record.id);
      void entry.files
        .exclusive(() => entry.files.compact(this.writer, this.now()))
        .catch((err) => this.opts.logger.error("lake compaction failed", { error: String(err) }));
    }, 1000);
    timer.unref();
    this.compactions.set(entry.record.id, timer);
  }

  private async maintainOnce(): Promise<void> {
    const now = this.now();
    for (const entry of [...this.stores.values()]) {
      const r = entry.record;
      if (
        r.status === "PENDING_DELETION" &&
        r.deletedAt !== undefined &&
        now - r.deletedAt >= PENDING_DELETION_MS
      ) {
        await this.dropStore(entry);
        continue;
      }
      await entry.files.exclusive(async () => {
        await entry.files.enforceRetention(retentionCutoff(r, now));
        await entry.files.compact(this.writer, now);
      });
    }
    await this.engine.purge();
  }
}
