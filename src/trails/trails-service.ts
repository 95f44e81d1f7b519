import { join } from "node:path";
import type { Logger } from "../config/logger.js";
import type { EventLog } from "../log/index.js";
import type { BucketPolicyCheck, TrailBucketStore } from "./bucket-store.js";
import { consumerName, TrailDelivery } from "./delivery/trail-delivery.js";
import { DigestWriter } from "./digest/digest-writer.js";
import { type TrailInsightsAccess, trailInsightsAccess } from "./insight-settings.js";
import { type NotificationOutcome, type SnsEndpoint, SnsNotifier } from "./notify/sns-notifier.js";
import { SnsSigner } from "./notify/sns-signer.js";
import { selectorHandlers } from "./selector-handlers.js";
import { DEFAULT_KEY_VALIDITY_MS, SigningKeyStore } from "./signing-keys.js";
import { type TaggableKind, trailTags } from "./tag-handlers.js";
import { trailWriteHandlers } from "./trail-handlers.js";
import { trailReadHandlers } from "./trail-read-handlers.js";
import { type TrailEntry, TrailRegistry } from "./trail-registry.js";
import { TrailStore } from "./trail-store.js";
import type { TrailsRuntime } from "./trails-runtime.js";

export interface TrailsServiceDeps {
  /** Trails keep `<dataDir>/trails/trails.db` and `<dataDir>/trails/keys/<region>/` here. */
  dataDir: string;
  /** Regions a multi-Region trail covers (shadow trails, trail limits, digest chains). */
  regions: string[];
  /** Where buckets live (the built-in store or external S3). */
  store: TrailBucketStore;
  checkBucketPolicy: BucketPolicyCheck;
  deliveryIntervalSeconds: number;
  digestIntervalSeconds: number;
  clock?: () => Date;
  logger: Logger;
  /** Signing key lifetime before rotation (default 30 days, as AWS's keys). */
  keyValiditySeconds?: number;
  /** A log file batch is cut at this many log records or payload bytes (default 20,000 / 32 MiB). */
  maxFileRecords?: number;
  maxFileBytes?: number;
  /** HTTP(S) endpoints standing for SNS topics: trails with SnsTopicName notify them. */
  snsEndpoints?: readonly SnsEndpoint[];
  /** OpenTrail's URL, for the notifications' SigningCertURL and UnsubscribeURL. */
  publicUrl?: () => string;
  /** Retry policy of notifications (tests); defaults are SNS's for HTTP endpoints. */
  snsRetry?: { attempts?: number; firstRetryMs?: number; timeoutMs?: number };
}

export type TrailsHandlers = ReturnType<typeof trailWriteHandlers> &
  ReturnType<typeof trailReadHandlers> &
  ReturnType<typeof selectorHandlers>;

export interface TrailsService {
  handlers: TrailsHandlers;
  /** Insight selectors of trails (PutInsightSelectors/GetInsightSelectors live in src/insights). */
  insights: TrailInsightsAccess;
  /**
   * Trails for AddTags/RemoveTags/ListTags, which `main` composes with Lake's resources into one
   * set (tagHandlers).
   */
  taggable: TaggableKind;
  /** Starts one delivery consumer per trail and the digest timer. Call before serving requests. */
  start(log: EventLog): void;
  /** Flushes what each trail has batched, stops consumers and timers, closes the database. */
  stop(): Promise<void>;
  /** Resolves once the trail has delivered every event appended before `seq` (tests, benchmarks). */
  caughtUp(trailArn: string, seq: number): Promise<void>;
  /** Runs one digest round now instead of waiting for the timer (tests). */
  runDigests(): Promise<void>;
  /**
   * The certificate of the key SNS notifications are signed with, to be served unsigned at
   * `path` on OpenTrail's port (their SigningCertURL); undefined without SNS endpoints.
   */
  snsSigningCertificate?: { path: string; pem: string };
}

/**
 * The trails concept: the trail API, a log consumer per trail delivering CloudTrail log files,
 * and the digest chains. https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-trails.html
 */
export function createTrailsService(deps: TrailsServiceDeps): TrailsService {
  const now = () => (deps.clock ? deps.clock().getTime() : Date.now());
  const store = new TrailStore(join(deps.dataDir, "trails", "trails.db"));
  const registry = new TrailRegistry(store);
  const keys = SigningKeyStore.open(
    join(deps.dataDir, "trails", "keys"),
    (deps.keyValiditySeconds ?? DEFAULT_KEY_VALIDITY_MS / 1000) * 1000,
  );
  const deliveries = new Map<string, TrailDelivery>();
  const digestIntervalMs = deps.digestIntervalSeconds * 1000;
  const digests = new DigestWriter({
    store,
    buckets: deps.store,
    checkBucketPolicy: deps.checkBucketPolicy,
    keys,
    regions: deps.regions,
    intervalMs: digestIntervalMs,
    now,
    logger: deps.logger,
  });
  const notifier = createNotifier(deps, now);
  let log: EventLog | undefined;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();
  let stopped = false;

  const requireLog = (): EventLog => {
    if (!log) throw new Error("the trails service is not started");
    return log;
  };

  const startDelivery = (entry: TrailEntry): void => {
    const id = entry.record.config.id;
    const delivery = new TrailDelivery({
      trailId: id,
      log: requireLog(),
      store,
      buckets: deps.store,
      checkBucketPolicy: deps.checkBucketPolicy,
      epochs: entry.epochs,
      record: () => registry.get(id)?.record,
      now,
      logger: deps.logger,
      intervalMs: deps.deliveryIntervalSeconds * 1000,
      maxRecords: deps.maxFileRecords ?? 20_000,
      maxBytes: deps.maxFileBytes ?? 32 * 1024 * 1024,
      notify:
        notifier && ((record, bucket, keys) => notify(notifier, id, record.config.snsTopicArn, bucket, keys)),
    });
    deliveries.set(id, delivery);
    delivery.start();
  };

  const rt: TrailsRuntime = {
    registry,
    buckets: deps.store,
    checkBucketPolicy: deps.checkBucketPolicy,
    keys,
    regions: deps.regions,
    now,
    logEnd: () => requireLog().endSeq,
    hasSnsTopic: (topicArn) => notifier?.endpointFor(topicArn) !== undefined,
    created: startDelivery,
    deleting: async (entry) => {
      const id = entry.record.config.id;
      const delivery = deliveries.get(id);
      deliveries.delete(id);
      await delivery?.stop({ discard: true });
      await requireLog().dropConsumer(consumerName(id));
      // After the digest round in progress (it skips this trail from now on, having no delivery).
      const closing = round.then(() => digests.closeChains(entry));
      round = closing.catch(() => undefined);
      await closing;
    },
  };

  const digestRound = async (): Promise<void> => {
    for (const entry of registry.all()) {
      const delivery = deliveries.get(entry.record.config.id);
      if (!delivery || stopped) continue;
      try {
        await digests.tick(entry, delivery);
      } catch (err) {
        deps.logger.error("digest round failed", { trail: entry.record.config.arn, error: String(err) });
      }
    }
  };
  const runDigests = (): Promise<void> => {
    round = round.then(digestRound);
    return round;
  };

  return {
    handlers: {
      ...trailWriteHandlers(rt),
      ...trailReadHandlers(rt),
      ...selectorHandlers(rt),
    },
    insights: trailInsightsAccess(rt),
    taggable: trailTags(rt),
    start(eventLog) {
      if (log) throw new Error("the trails service is already started");
      log = eventLog;
      for (const entry of registry.all()) startDelivery(entry);
      timer = setInterval(() => void runDigests(), Math.max(50, Math.min(1000, digestIntervalMs / 4)));
      timer.unref();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearInterval(timer);
      await round;
      await Promise.all([...deliveries.values()].map((d) => d.stop()));
      deliveries.clear();
      await notifier?.stop();
      store.close();
    },
    caughtUp(trailArn, seq) {
      const entry = registry.byArn(trailArn);
      const delivery = entry && deliveries.get(entry.record.config.id);
      if (!delivery) return Promise.reject(new Error(`no trail ${trailArn}`));
      // Delivery timers are unref'd; a caller waiting here keeps the process alive meanwhile.
      const keepAlive = setInterval(() => {}, 1000);
      return delivery.caughtUp(seq).finally(() => clearInterval(keepAlive));
    },
    runDigests,
    snsSigningCertificate: notifier && {
      path: notifier.signer.certificatePath,
      pem: notifier.signer.certificatePem,
    },
  };

  /** Queues the notification; its outcome lands in the trail's status (GetTrailStatus). */
  function notify(n: SnsNotifier, id: string, topicArn: string | undefined, bucket: string, keys: string[]) {
    if (!topicArn) return;
    n.publish(topicArn, bucket, keys, (outcome: NotificationOutcome) => {
      const record = registry.get(id)?.record;
      if (!record) return;
      record.status = Object.assign({}, record.status, {
        latestNotificationAttemptTime: outcome.at,
        latestNotificationError: outcome.error,
        latestNotificationTime: outcome.error ? record.status.latestNotificationTime : outcome.at,
      });
    });
  }
}

function createNotifier(deps: TrailsServiceDeps, now: () => number): SnsNotifier | undefined {
  if (!deps.snsEndpoints?.length) return undefined;
  return new SnsNotifier({
    endpoints: deps.snsEndpoints,
    signer: SnsSigner.open(join(deps.dataDir, "trails"), new Date(now())),
    publicUrl: deps.publicUrl ?? (() => "http://127.0.0.1"),
    now,
    logger: deps.logger,
    ...deps.snsRetry,
  });
}

/** Regions a multi-Region trail covers by default: the server's Region and a few common ones. */
export function defaultTrailRegions(region: string): string[] {
  return [...new Set([region, "us-east-1", "us-east-2", "us-west-2", "eu-west-1"])];
}
