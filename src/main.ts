import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { OpenTrailConfig } from "./config/config.js";
import { lockDataDir } from "./config/data-dir-lock.js";
import { createLogger, type Logger } from "./config/logger.js";
import { attachHistory, createHistoryService, HistoryIndex } from "./history/index.js";
import { createStsService, IdentityStore } from "./iam/index.js";
import { EventLog } from "./log/index.js";
import { Recorder } from "./recorder/recorder.js";
import { createS3Service, type S3Service } from "./s3/index.js";
import { createCloudTrailApi } from "./server/cloudtrail-api.js";
import { createEdge } from "./server/edge.js";
import { dispatchJson } from "./server/json-service.js";
import { dispatchQuery } from "./server/query-service.js";
import type { ServiceEndpoint } from "./server/service-endpoint.js";
import {
  cloudTrailBucketPolicyCheck,
  createTrailsService,
  defaultTrailRegions,
  type TrailsService,
} from "./trails/index.js";

export interface OpenTrail {
  url: string;
  port: number;
  config: OpenTrailConfig;
  log: EventLog;
  recorder: Recorder;
  history: HistoryIndex;
  identities: IdentityStore;
  s3: S3Service;
  trails: TrailsService;
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
    const history = HistoryIndex.open({
      path: join(config.dataDir, "history.db"),
      retentionDays: config.historyRetentionDays,
      combineAttributes: config.combineLookupAttributes,
    });
    cleanup.splice(1, 0, () => history.close());
    attachHistory(log, history);

    const s3 = createS3Service({
      dataDir: config.dataDir,
      sink: recorder,
      defaultRegion: config.region,
      logger,
    });
    cleanup.splice(1, 0, () => s3.close());
    const sts = createStsService(identities);
    const trails = createTrailsService({
      dataDir: config.dataDir,
      regions: defaultTrailRegions(config.region),
      store: s3.store,
      checkBucketPolicy: cloudTrailBucketPolicyCheck((bucket, request) =>
        s3.authorizeBucketAccess(bucket, request),
      ),
      deliveryIntervalSeconds: config.deliveryIntervalSeconds,
      digestIntervalSeconds: config.digestIntervalSeconds,
      logger,
    });
    trails.start(log);
    // First in line at shutdown: delivery flushes into the store and reads the log.
    cleanup.unshift(() => trails.stop());
    const cloudtrail = createCloudTrailApi({ ...createHistoryService(history), ...trails.handlers });
    const services: Record<string, ServiceEndpoint> = {
      cloudtrail: {
        format: "json",
        maxBodyBytes: config.maxJsonBodyBytes,
        uriEscapePath: true,
        clockSkewSeconds: config.clockSkewSeconds,
        handle: (req, ctx) => dispatchJson(cloudtrail, req, ctx, recorder, logger),
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
      },
    };
    const edge = createEdge({
      services,
      identities,
      logger,
      health: () => ({ status: "ok", log: { startSeq: log.startSeq, endSeq: log.endSeq } }),
    });
    const server = createServer({ keepAliveTimeout: 65_000 }, edge);
    server.listen(config.port, config.host);
    await once(server, "listening");
    const port = (server.address() as AddressInfo).port;
    const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
    logger.info("listening", { url, dataDir: config.dataDir, region: config.region });
    return {
      url,
      port,
      config,
      log,
      recorder,
      history,
      identities,
      s3,
      trails,
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
