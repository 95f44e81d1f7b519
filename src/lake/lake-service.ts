import type { EventSink } from "../recorder/event-sink.js";
import type { RawRequest, RawResponse } from "../server/raw-http.js";
import type { RequestContext } from "../server/request-context.js";
import type { TaggableKind } from "../trails/index.js";
import { channelHandlers } from "./channels/channel-handlers.js";
import { putAuditEventsEndpoint } from "./channels/put-audit-events.js";
import { importHandlers } from "./imports/import-handlers.js";
import { type LakeOptions, LakeRuntime } from "./lake-runtime.js";
import { lakeTags } from "./lake-tags.js";
import { resourcePolicyHandlers } from "./policies/resource-policy-handlers.js";
import { queryHandlers } from "./query/query-handlers.js";
import { storeHandlers } from "./stores/store-handlers.js";

export type LakeHandlers = ReturnType<typeof storeHandlers> &
  ReturnType<typeof queryHandlers> &
  ReturnType<typeof channelHandlers> &
  ReturnType<typeof importHandlers> &
  ReturnType<typeof resourcePolicyHandlers>;

export interface LakeService {
  handlers: LakeHandlers;
  /** Event data stores and channels for the one AddTags/RemoveTags/ListTags (with trails). */
  taggable: TaggableKind[];
  /** The `cloudtrail-data` endpoint (PutAuditEvents). */
  handleData(req: RawRequest, ctx: RequestContext): Promise<RawResponse>;
  /** Starts ingest consumers and the maintenance timer. */
  start(): void;
  stop(): Promise<void>;
  /** Resolves once the store has ingested every event appended before `seq` (tests, benchmarks). */
  caughtUp(storeRef: string, seq: number): Promise<void>;
  /** Resolves once a query has settled (tests, benchmarks). */
  settled(queryId: string): Promise<void>;
  /** One compaction/retention/purge round now (tests). */
  maintain(): Promise<void>;
  runtime: LakeRuntime;
}

/**
 * CloudTrail Lake: event data stores as date-partitioned Parquet fed from the event log, SQL
 * queries on DuckDB in a per-account sandbox, channels with PutAuditEvents, imports of
 * CloudTrail log files, and resource-based policies granting other accounts a channel or
 * queries on a store. https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-lake.html
 */
export async function createLakeService(opts: LakeOptions & { sink: EventSink }): Promise<LakeService> {
  const rt = await LakeRuntime.open(opts);
  const data = putAuditEventsEndpoint(rt, opts.sink, opts.logger);
  return {
    handlers: {
      ...storeHandlers(rt),
      ...queryHandlers(rt),
      ...channelHandlers(rt),
      ...importHandlers(rt),
      ...resourcePolicyHandlers(rt),
    },
    taggable: lakeTags(rt),
    handleData: data,
    start: () => rt.start(),
    stop: () => rt.stop(),
    caughtUp: (ref, seq) => {
      const id = ref.split("/").pop() ?? ref;
      return rt.stores.get(id.toLowerCase())?.ingest.caughtUp(seq) ?? Promise.resolve();
    },
    settled: (id) => rt.engine.settled(id),
    maintain: () => rt.maintain(),
    runtime: rt,
  };
}
