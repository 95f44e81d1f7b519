import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { OpenTrailConfig } from "./config/config.js";
import { lockDataDir } from "./config/data-dir-lock.js";
import { createLogger, type Logger } from "./config/logger.js";
import { createGateway, upstreamBucketStore } from "./gateway/index.js";
import { attachHistory, createHistoryService, HistoryThread } from "./history/index.js";
import { createStsService, IdentityStore } from "./iam/index.js";
import { createInsightsService, type InsightsService } from "./insights/index.js";
import { createLakeService, type LakeService } from "./lake/index.js";
import { EventLog } from "./log/index.js";
import { Recorder } from "./recorder/recorder.js";
import { createS3Service, ExternalObjectStore, type S3Service } from "./s3/index.js";
import { trustedProxies } from "./server/client-address.js";
import { createCloudTrailApi } from "./server/cloudtrail-api.js";
import { consoleFiles } from "./server/console-files.js";
import { createEdge } from "./server/edge.js";
import { dispatchJson } from "./server/json-service.js";
import { dispatchQuery } from "./server/query-service.js";
import type { ServiceEndpoint } from "./server/service-endpoint.js";
import { withSnsCertificate } from "./server/sns-certificate-file.js";
import {
  cloudTrailBucketPolicyCheck,
  createTrailsService,
  defaultTrailRegions,
  type TrailsService,
  tagHandlers,
} from "./trails/index.js";

export interface OpenTrail {
  url: string;
  port: number;
  config: OpenTrailConfig;
  log: EventLog;
  recorder: Recorder;
  history: HistoryThread;
  /** Resolves once event history has indexed every record before `seq` (tests wait on it). */
  historyCaughtUp(seq: number): Promise<void>;
  identities: IdentityStore;
  s3: S3Service;
  trails: TrailsService;
  lake: LakeService;
  insights: InsightsService;
  /** True when this start created the default account and admin key pair. */
  createdCredentials: boolean;
  /** Drains in-flight requests, checkpoints consumers, closes files, releases the lock. */
  stop(): Promise<void>;
}

/** Builds the object graph from the configuration and starts listening. */
export async function startOpenTrail(
  config: OpenTrailConfig,
  logger: Logger = createLogger(config.logLevel),
): Promise<OpenTrail> {
  const unlock = lockDataDir(config.dataDir);
  const cleanup: Array<() => Promise<void> | void> = [unlock];
  try {
    const identities = await IdentityStore.open({
      dataDir: config.dataDir,
      identitiesFile: config.identitiesFile,
      logger,
    });
    const log = await EventLog.open({
      dir: join(config.dataDir, "log"),
      segmentBytes: config.segmentBytes,
      logger,
    });
    cleanup.unshift(() => log.close());
    const recorder = new Recorder(log);
    const history = await HistoryThread.open(
      {
        path: join(config.dataDir, "history.db"),
        retentionDays: config.historyRetentionDays,
        combineAttributes: config.combineLookupAttributes,
      },
      { logger },
    );
    cleanup.splice(1, 0, () => history.close());
    const historyConsumer = attachHistory(log, history);
    // Stop the consumer (and its retention timer) before the log and the index close.
    cleanup.unshift(() => historyConsumer.stop());

    const s3 = createS3Service({
      dataDir: config.dataDir,
      sink: recorder,
      defaultRegion: config.region,
      logger,
      maxBodyBytes: config.maxS3BodyBytes,
    });
    cleanup.splice(1, 0, () => s3.close());
    const sts = createStsService(identities);
    const gateway = createGateway({
      upstreams: config.upstreams,
      timeoutSeconds: config.upstreamTimeoutSeconds,
      sink: recorder,
      logger,
    });
    cleanup.splice(1, 0, () => gateway.close());
    // With an S3 upstream, trails deliver where the clients' S3 calls now go.
    const s3Upstream = config.upstreams.find((u) => u.service === "s3");
    const buckets = s3Upstream
      ? upstreamBucketStore(s3Upstream, config.region)
      : {
          store: s3.store,
          checkBucketPolicy: cloudTrailBucketPolicyCheck((bucket, request) =>
            s3.authorizeBucketAccess(bucket, request),
          ),
        };
    // Known once the server listens; notifications name it in their SigningCertURL.
    const listening = { url: `http://${config.host}:${config.port}` };
    const trails = createTrailsService({
      dataDir: config.dataDir,
      regions: defaultTrailRegions(config.region),
      store: buckets.store,
      checkBucketPolicy: buckets.checkBucketPolicy,
      deliveryIntervalSeconds: config.deliveryIntervalSeconds,
      digestIntervalSeconds: config.digestIntervalSeconds,
      snsEndpoints: config.snsEndpoints,
      publicUrl: () => listening.url,
      logger,
    });
    trails.start(log);
    // First in line at shutdown: delivery flushes into the store and reads the log.
    cleanup.unshift(() => trails.stop());
    const lake = await createLakeService({
      dataDir: config.dataDir,
      log,
      sink: recorder,
      recordBatch: (drafts) => recorder.recordBatch(drafts),
      objects: s3.store,
      externalObjects: config.importS3
        ? new ExternalObjectStore({
            endpoint: config.importS3.endpoint,
            region: config.importS3.region,
            credentials: config.importS3,
            forcePathStyle: true,
          })
        : undefined,
      queryTimeoutSeconds: config.lakeQueryTimeoutSeconds,
      queryMemoryLimit: config.lakeQueryMemory,
      maxRunningQueries: config.lakeRunningQueries,
      logger,
    });
    lake.start();
    // Stopped before the log closes: its ingest consumers read the log.
    cleanup.unshift(() => lake.stop());
    const insights = createInsightsService({
      dataDir: config.dataDir,
      trails: trails.insights,
      recorder,
      settings: config.insights,
      logger,
      eventDataStores: {
        find: (id, accountId) => {
          const r = lake.runtime.stores.get(id)?.record;
          if (!r || r.accountId !== accountId) return undefined;
          const { arn, region, multiRegionEnabled, status, selectors } = r;
          return { arn, accountId, region, multiRegionEnabled, status, advancedEventSelectors: selectors };
        },
      },
    });
    await insights.start(log);
    // First to stop: its last checkpoint may record Insights events for the others to take.
    cleanup.unshift(() => insights.stop());
    const cloudtrail = createCloudTrailApi({
      ...createHistoryService(history),
      ...trails.handlers,
      ...lake.handlers,
      ...insights.handlers,
      // One AddTags/RemoveTags/ListTags for every resource that takes tags: trails and Lake's.
      ...tagHandlers([trails.taggable, ...lake.taggable]),
    });
    const services: Record<string, ServiceEndpoint> = {
      cloudtrail: {
        format: "json",
        maxBodyBytes: config.maxJsonBodyBytes,
        uriEscapePath: true,
        clockSkewSeconds: config.clockSkewSeconds,
        handle: (req, ctx) => dispatchJson(cloudtrail, req, ctx, recorder, logger),
      },
      // PutAuditEvents (REST-JSON); the edge routes by the signing name `cloudtrail-data`.
      "cloudtrail-data": {
        format: "json",
        maxBodyBytes: config.maxJsonBodyBytes,
        uriEscapePath: true,
        clockSkewSeconds: config.clockSkewSeconds,
        handle: (req, ctx) => lake.handleData(req, ctx),
      },
      sts: {
        format: "query",
        maxBodyBytes: config.maxJsonBodyBytes,
        uriEscapePath: true,
        clockSkewSeconds: 900,
        handle: (req, ctx) => dispatchQuery(sts, req, ctx, recorder, logger),
      },
      s3: {
        format: "s3",
        maxBodyBytes: config.maxS3BodyBytes,
        uriEscapePath: false,
        clockSkewSeconds: 900,
        handle: (req, ctx) => s3.handle(req, ctx),
        streamsBody: (head) => s3.streamsBody(head),
      },
      // Configured upstreams: a built-in service (s3) yields to its upstream.
      ...gateway.endpoints,
    };
    const edge = createEdge({
      services,
      identities,
      logger,
      trustedProxies: trustedProxies(config.trustedProxies),
      staticFiles: withSnsCertificate(trails.snsSigningCertificate, consoleFiles()),
      health: () => ({ status: "ok", log: { startSeq: log.startSeq, endSeq: log.endSeq } }),
    });
    const server = createServer({ keepAliveTimeout: 65_000 }, edge);
    server.listen(config.port, config.host);
    await once(server, "listening");
    const port = (server.address() as AddressInfo).port;
    const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
    listening.url = url;
    logger.info("listening", { url, dataDir: config.dataDir, region: config.region });
    return {
      url,
      port,
      config,
      log,
      recorder,
      history,
      historyCaughtUp: (seq) => historyConsumer.caughtUp(seq),
      identities,
      s3,
      trails,
      lake,
      insights,
      createdCredentials: identities.created,
      stop: async () => {
        await closeServer(server);
        for (const fn of cleanup) await fn();
        logger.info("stopped");
      },
    };
  } catch (e) {
    for (const fn of cleanup) await fn();
    throw e;
  }
}

async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  // In-flight requests get a moment to finish (their events are being made durable).
  const timer = setTimeout(() => server.closeAllConnections(), 5_000);
  await closed;
  clearTimeout(timer);
}
