import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../config/logger.js";
import type { CloudTrailEvent } from "../../events/cloudtrail-event.js";
import { serializeEvent } from "../../events/serialize-event.js";
import { EventLog } from "../../log/index.js";
import type { RequestContext } from "../../server/request-context.js";
import type { BucketPolicyCheck } from "../bucket-store.js";
import { createTrailsService, type TrailsService, type TrailsServiceDeps } from "../trails-service.js";
import type { ValidationSource } from "../validate/validation-source.js";
import { MemoryBucketStore } from "./memory-bucket-store.js";

export const ACCOUNT = "123456789012";
export const BUCKET = "trail-bucket";

export function context(region = "us-east-1", accountId = ACCOUNT): RequestContext {
  return {
    requestId: "req-1",
    principal: {
      type: "IAMUser",
      accountId,
      arn: `arn:aws:iam::${accountId}:user/ci`,
      principalId: "AIDAEXAMPLE",
      accessKeyId: "AKIAEXAMPLE",
      admin: true,
    },
    region,
    service: "cloudtrail",
    sourceIPAddress: "127.0.0.1",
    userAgent: "test",
    receivedAt: new Date(),
  };
}

let counter = 0;

/** A management event as the recorder would append it. */
export function managementEvent(fields: Partial<CloudTrailEvent> = {}): CloudTrailEvent {
  counter++;
  return {
    eventVersion: "1.11",
    userIdentity: { type: "IAMUser", accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/ci` },
    eventTime: `${new Date().toISOString().slice(0, 19)}Z`,
    eventSource: "cloudtrail.amazonaws.com",
    eventName: "DescribeTrails",
    awsRegion: "us-east-1",
    sourceIPAddress: "127.0.0.1",
    requestParameters: null,
    responseElements: null,
    requestID: `req-${counter}`,
    eventID: `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
    readOnly: true,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: "Management",
    ...fields,
  };
}

export interface TrailFixture {
  dir: string;
  log: EventLog;
  buckets: MemoryBucketStore;
  service: TrailsService;
  policyAllows: { value: boolean };
  append(...events: CloudTrailEvent[]): Promise<number[]>;
  /** Stops the service and the log (the data folder stays until remove). */
  close(): Promise<void>;
  /** Reopens service and log on the same folder (a restart). */
  reopen(overrides?: Partial<TrailsServiceDeps>): Promise<void>;
  remove(): void;
  source(region?: string): ValidationSource;
}

export async function trailFixture(overrides: Partial<TrailsServiceDeps> = {}): Promise<TrailFixture> {
  const dir = mkdtempSync(join(tmpdir(), "opentrail-trails-"));
  const buckets = new MemoryBucketStore([BUCKET]);
  const policyAllows = { value: true };
  const checkBucketPolicy: BucketPolicyCheck = () => policyAllows.value;
  const open = async (more: Partial<TrailsServiceDeps>) => {
    const log = await EventLog.open({ dir: join(dir, "log"), fsync: false });
    const service = createTrailsService({
      dataDir: dir,
      regions: ["us-east-1", "us-west-2"],
      store: buckets,
      checkBucketPolicy,
      deliveryIntervalSeconds: 0.2,
      digestIntervalSeconds: 3600,
      logger: silentLogger,
      ...overrides,
      ...more,
    });
    service.start(log);
    return { log, service };
  };
  let current = await open({});
  const fixture: TrailFixture = {
    dir,
    buckets,
    policyAllows,
    get log() {
      return current.log;
    },
    get service() {
      return current.service;
    },
    append: (...events) => current.log.appendBatch(events.map((e) => Buffer.from(serializeEvent(e)))),
    close: async () => {
      await current.service.stop();
      await current.log.close();
    },
    reopen: async (more = {}) => {
      current = await open(more);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
    source: (region = "us-east-1") => memorySource(buckets, () => current.service, region),
  };
  return fixture;
}

/** validate-logs' view of the fixture: the service's DescribeTrails/ListPublicKeys and the memory store. */
export function memorySource(
  buckets: MemoryBucketStore,
  service: () => TrailsService,
  region = "us-east-1",
): ValidationSource {
  return {
    findTrail: async (arn) => {
      const { trailList } = await service().handlers.DescribeTrails({}, context(region));
      return trailList?.find((t) => t.TrailARN === arn);
    },
    listPublicKeys: async (start, end) =>
      (await service().handlers.ListPublicKeys({ StartTime: start, EndTime: end }, context(region)))
        .PublicKeyList ?? [],
    listKeys: async function* (bucket, prefix, marker) {
      yield* buckets.keys(bucket, prefix, marker);
    },
    getObject: async (bucket, key) => {
      const obj = buckets.get(bucket, key);
      return obj && { body: obj.body, metadata: obj.metadata };
    },
  };
}
