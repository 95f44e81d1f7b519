import { randomUUID } from "node:crypto";
import type {
  CreateEventDataStoreRequest,
  CreateEventDataStoreResponse,
  DeleteEventDataStoreRequest,
  GetEventDataStoreRequest,
  GetEventDataStoreResponse,
  ListEventDataStoresRequest,
  ListEventDataStoresResponse,
  RestoreEventDataStoreRequest,
  RestoreEventDataStoreResponse,
  StartEventDataStoreIngestionRequest,
  StopEventDataStoreIngestionRequest,
  UpdateEventDataStoreRequest,
  UpdateEventDataStoreResponse,
} from "@aws-sdk/client-cloudtrail";
import type { RequestContext } from "../../server/request-context.js";
import { validateTags } from "../../trails/index.js";
import { LakeErrors } from "../lake-errors.js";
import type { LakeRuntime, StoreEntry } from "../lake-runtime.js";
import { pageOf } from "../paging.js";
import { storeFor } from "../policies/store-grants.js";
import {
  DEFAULT_STORE_SELECTORS,
  MAX_STORES_PER_REGION,
  resolveBillingMode,
  resolveRetention,
  type StoreRecord,
  storeArn,
  toEventDataStore,
  validateKmsKeyId,
  validateStoreName,
} from "./store-model.js";
import { validateStoreSelectors } from "./store-selector-rules.js";

/**
 * Event data store lifecycle (reference §1.3, §5.4): create (ingesting from now on unless
 * StartIngestion is false), get, update, list, delete into PENDING_DELETION for seven days
 * (refused while termination protection is on or a channel delivers to it), restore, and
 * start/stop ingestion. https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateEventDataStore.html
 */
export function storeHandlers(rt: LakeRuntime) {
  const account = (ctx: RequestContext) => ctx.principal.accountId;
  const active = (entry: StoreEntry) => {
    if (entry.record.status === "PENDING_DELETION") throw LakeErrors.inactiveStore(entry.record.arn);
    return entry;
  };
  const inRegion = (ctx: RequestContext) =>
    [...rt.stores.values()].filter(
      (e) => e.record.accountId === account(ctx) && e.record.region === ctx.region,
    );

  return {
    async CreateEventDataStore(
      input: CreateEventDataStoreRequest,
      ctx: RequestContext,
    ): Promise<CreateEventDataStoreResponse> {
      const name = input.Name ?? "";
      validateStoreName(name);
      validateKmsKeyId(input.KmsKeyId);
      const billingMode = resolveBillingMode(input.BillingMode);
      const retentionPeriod = resolveRetention(input.RetentionPeriod, billingMode);
      const selectors = input.AdvancedEventSelectors ?? DEFAULT_STORE_SELECTORS;
      validateStoreSelectors(selectors);
      const tags = validateTags([], input.TagsList ?? []);
      if (input.OrganizationEnabled) throw organizationsNotInUse();
      const mine = inRegion(ctx);
      if (mine.some((e) => e.record.name === name)) throw LakeErrors.storeAlreadyExists(name);
      if (mine.length >= MAX_STORES_PER_REGION) throw LakeErrors.storeMaxLimit(MAX_STORES_PER_REGION);
      const id = randomUUID();
      const now = rt.now();
      const start = input.StartIngestion !== false;
      const record: StoreRecord = {
        id,
        arn: storeArn(ctx.region, account(ctx), id),
        name,
        accountId: account(ctx),
        region: ctx.region,
        status: start ? "ENABLED" : "STOPPED_INGESTION",
        selectors,
        multiRegionEnabled: input.MultiRegionEnabled ?? true,
        organizationEnabled: false,
        retentionPeriod,
        terminationProtectionEnabled: input.TerminationProtectionEnabled ?? true,
        billingMode,
        kmsKeyId: input.KmsKeyId,
        tags,
        createdAt: now,
        updatedAt: now,
      };
      const entry = rt.addStore(record);
      rt.db.putStore(id, record, rt.opts.log.endSeq);
      if (start) rt.startIngest(entry, true);
      // CloudTrail answers CREATED; the store is ENABLED from then on (reference §1.3).
      return { ...toEventDataStore(record), Status: start ? "CREATED" : "STOPPED_INGESTION", TagsList: tags };
    },

    async GetEventDataStore(
      input: GetEventDataStoreRequest,
      ctx: RequestContext,
    ): Promise<GetEventDataStoreResponse> {
      const entry = storeFor(rt, input.EventDataStore ?? "", ctx, "cloudtrail:GetEventDataStore");
      return toEventDataStore(entry.record);
    },

    async ListEventDataStores(
      input: ListEventDataStoresRequest,
      ctx: RequestContext,
    ): Promise<ListEventDataStoresResponse> {
      const all = inRegion(ctx).sort((a, b) => a.record.createdAt - b.record.createdAt);
      const page = pageOf(all, input.NextToken, input.MaxResults, 1000);
      return {
        EventDataStores: page.items.map((e) => toEventDataStore(e.record)),
        NextToken: page.nextToken,
      };
    },

    async UpdateEventDataStore(
      input: UpdateEventDataStoreRequest,
      ctx: RequestContext,
    ): Promise<UpdateEventDataStoreResponse> {
      const entry = active(rt.findStore(account(ctx), input.EventDataStore ?? ""));
      const r = entry.record;
      if (input.Name !== undefined && input.Name !== r.name) {
        validateStoreName(input.Name);
        if (inRegion(ctx).some((e) => e.record.name === input.Name))
          throw LakeErrors.storeAlreadyExists(input.Name);
      }
      validateKmsKeyId(input.KmsKeyId);
      if (input.OrganizationEnabled) throw organizationsNotInUse();
      if (input.AdvancedEventSelectors) validateStoreSelectors(input.AdvancedEventSelectors);
      const billingMode = input.BillingMode ? resolveBillingMode(input.BillingMode) : r.billingMode;
      if (r.billingMode === "EXTENDABLE_RETENTION_PRICING" && billingMode === "FIXED_RETENTION_PRICING")
        throw LakeErrors.invalidParameter(
          "The billing mode cannot change from extendable to fixed retention pricing.",
        );
      const retention = resolveRetention(input.RetentionPeriod ?? r.retentionPeriod, billingMode);
      Object.assign(r, {
        name: input.Name ?? r.name,
        selectors: input.AdvancedEventSelectors ?? r.selectors,
        multiRegionEnabled: input.MultiRegionEnabled ?? r.multiRegionEnabled,
        retentionPeriod: retention,
        terminationProtectionEnabled: input.TerminationProtectionEnabled ?? r.terminationProtectionEnabled,
        kmsKeyId: input.KmsKeyId ?? r.kmsKeyId,
        billingMode,
        updatedAt: rt.now(),
      });
      rt.saveStore(entry);
      return toEventDataStore(r);
    },

    async DeleteEventDataStore(input: DeleteEventDataStoreRequest, ctx: RequestContext): Promise<object> {
      const entry = active(rt.findStore(account(ctx), input.EventDataStore ?? ""));
      const r = entry.record;
      if (r.terminationProtectionEnabled) throw LakeErrors.terminationProtected(r.arn);
      if ([...rt.channels.values()].some((c) => c.destinations.includes(r.arn)))
        throw LakeErrors.channelExistsForStore(r.arn);
      await entry.ingest.stop();
      Object.assign(r, { status: "PENDING_DELETION", deletedAt: rt.now(), updatedAt: rt.now() });
      rt.saveStore(entry);
      return {};
    },

    async RestoreEventDataStore(
      input: RestoreEventDataStoreRequest,
      ctx: RequestContext,
    ): Promise<RestoreEventDataStoreResponse> {
      const entry = rt.findStore(account(ctx), input.EventDataStore ?? "");
      const r = entry.record;
      if (r.status !== "PENDING_DELETION")
        throw LakeErrors.invalidStoreStatus(r.arn, r.status, "PENDING_DELETION");
      Object.assign(r, { status: "ENABLED", deletedAt: undefined, updatedAt: rt.now() });
      rt.saveStore(entry);
      rt.startIngest(entry, true);
      return toEventDataStore(r);
    },

    async StartEventDataStoreIngestion(input: StartEventDataStoreIngestionRequest, ctx: RequestContext) {
      const entry = active(rt.findStore(account(ctx), input.EventDataStore ?? ""));
      const r = entry.record;
      if (r.status !== "STOPPED_INGESTION")
        throw LakeErrors.invalidStoreStatus(r.arn, r.status, "STOPPED_INGESTION");
      Object.assign(r, { status: "ENABLED", updatedAt: rt.now() });
      rt.saveStore(entry);
      rt.startIngest(entry, true);
      return {};
    },

    async StopEventDataStoreIngestion(input: StopEventDataStoreIngestionRequest, ctx: RequestContext) {
      const entry = active(rt.findStore(account(ctx), input.EventDataStore ?? ""));
      const r = entry.record;
      if (r.status !== "ENABLED") throw LakeErrors.invalidStoreStatus(r.arn, r.status, "ENABLED");
      await entry.ingest.stop();
      Object.assign(r, { status: "STOPPED_INGESTION", updatedAt: rt.now() });
      rt.saveStore(entry);
      return {};
    },
  };
}

function organizationsNotInUse() {
  return LakeErrors.invalidParameter(
    "OrganizationEnabled is not supported: OpenTrail has no AWS Organizations.",
  );
}
