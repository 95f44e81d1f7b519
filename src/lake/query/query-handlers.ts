import { randomUUID } from "node:crypto";
import type {
  CancelQueryRequest,
  CancelQueryResponse,
  DescribeQueryRequest,
  DescribeQueryResponse,
  GetQueryResultsRequest,
  GetQueryResultsResponse,
  ListQueriesRequest,
  ListQueriesResponse,
  StartQueryRequest,
  StartQueryResponse,
} from "@aws-sdk/client-cloudtrail";
import type { RequestContext } from "../../server/request-context.js";
import { LakeErrors } from "../lake-errors.js";
import type { LakeRuntime, StoreEntry } from "../lake-runtime.js";
import { decodeToken, encodeToken, pageOf } from "../paging.js";
import { checkQueryGrant, storeFor } from "../policies/store-grants.js";
import { quoteStoreIds } from "../sql/quote-store-ids.js";
import { checkStatement } from "../sql/statement-check.js";
import { retentionCutoff } from "../stores/store-model.js";
import { checkDeliveryUri } from "./deliver-results.js";
import type { QueryStore } from "./query-engine.js";
import {
  ACTIVE_STATUSES,
  MAX_CONCURRENT_QUERIES,
  type QueryRecord,
  RESULT_RETENTION_MS,
} from "./query-model.js";
import type { ResultRow } from "./result-file.js";
import { accountScope, grantScope, type SandboxScope } from "./sandbox.js";

const MAX_STATEMENT = 10_000;
const LONG_POLL_MS = 1000;
const STATUSES = new Set(["QUEUED", "RUNNING", "FINISHED", "FAILED", "CANCELLED", "TIMED_OUT"]);
const ACCOUNT_ID = /^\d{12}$/;

/**
 * StartQuery, DescribeQuery, GetQueryResults, ListQueries, CancelQuery (reference §1.3, §5).
 * StartQuery checks the statement against the sandbox rules and resolves every event data
 * store it names before the query is queued: stores of the caller's account, or of one other
 * account whose resource policies allow the caller cloudtrail:StartQuery (the query then runs
 * in a sandbox that can read those stores' folders only, and its results stay readable while
 * the policies allow GetQueryResults/DescribeQuery).
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartQuery.html
 */
export function queryHandlers(rt: LakeRuntime) {
  const account = (ctx: RequestContext) => ctx.principal.accountId;
  const findQuery = (
    input: { QueryId?: string; EventDataStoreOwnerAccountId?: string },
    ctx: RequestContext,
    action: string,
  ): QueryRecord => {
    const id = input.QueryId;
    const q = id ? rt.engine.get(id) : undefined;
    const owner = input.EventDataStoreOwnerAccountId;
    if (
      !q ||
      q.accountId !== account(ctx) ||
      expired(q, rt.now()) ||
      (owner !== undefined && owner !== (q.ownerAccountId ?? q.accountId))
    )
      throw LakeErrors.queryNotFound(id ?? "");
    // The stores' owner gets its copy of the call, allowed or refused.
    if (q.ownerAccountId) ctx.resourceAccountId = q.ownerAccountId;
    checkQueryGrant(rt, q, ctx, action);
    return q;
  };

  return {
    async StartQuery(input: StartQueryRequest, ctx: RequestContext): Promise<StartQueryResponse> {
      if (input.QueryAlias || input.QueryParameters)
        throw LakeErrors.invalidParameter(
          "QueryAlias and QueryParameters are for dashboards, which OpenTrail does not have.",
        );
      const statement = input.QueryStatement ?? "";
      if (statement.length < 1 || statement.length > MAX_STATEMENT)
        throw LakeErrors.invalidParameter(`QueryStatement must be 1 to ${MAX_STATEMENT} characters.`);
      const owner = input.EventDataStoreOwnerAccountId;
      if (owner !== undefined && !ACCOUNT_ID.test(owner))
        throw LakeErrors.invalidParameter(`EventDataStoreOwnerAccountId ${owner} is not an account ID.`);
      if (input.DeliveryS3Uri) await checkDeliveryUri(rt.opts.objects, input.DeliveryS3Uri, account(ctx));
      if (rt.engine.activeCount(account(ctx)) >= MAX_CONCURRENT_QUERIES)
        throw LakeErrors.maxConcurrentQueries();
      const sql = quoteStoreIds(statement);
      const checked = checkStatement(await rt.sandbox.parse(account(ctx), sql));
      const { stores, ownerAccountId, scope } = resolveStores(rt, ctx, checked.tables, owner);
      const record: QueryRecord = {
        id: randomUUID(),
        accountId: account(ctx),
        ownerAccountId: ownerAccountId === account(ctx) ? undefined : ownerAccountId,
        storeArns: stores.map((s) => rt.stores.get(s.id)?.record.arn ?? s.id),
        statement,
        status: "QUEUED",
        createdAt: rt.now(),
        deliveryS3Uri: input.DeliveryS3Uri,
        deliveryStatus: input.DeliveryS3Uri ? "PENDING" : undefined,
        eventsScanned: 0,
        bytesScanned: 0,
        executionMs: 0,
        resultsCount: 0,
        columns: [],
        offsets: [0],
      };
      rt.engine.submit({ record, sql, checked, stores, scope });
      return { QueryId: record.id, EventDataStoreOwnerAccountId: ownerAccountId };
    },

    async DescribeQuery(input: DescribeQueryRequest, ctx: RequestContext): Promise<DescribeQueryResponse> {
      if (input.QueryAlias || input.RefreshId)
        throw LakeErrors.invalidParameter(
          "QueryAlias and RefreshId are for dashboards, which OpenTrail does not have.",
        );
      if (input.EventDataStore) storeFor(rt, input.EventDataStore, ctx, "cloudtrail:DescribeQuery");
      const q = findQuery(input, ctx, "cloudtrail:DescribeQuery");
      return {
        QueryId: q.id,
        QueryString: q.statement,
        QueryStatus: q.status,
        QueryStatistics: {
          EventsMatched: q.resultsCount,
          EventsScanned: q.eventsScanned,
          BytesScanned: q.bytesScanned,
          ExecutionTimeInMillis: q.executionMs,
          CreationTime: new Date(q.createdAt),
        },
        ErrorMessage: q.errorMessage,
        DeliveryS3Uri: q.deliveryS3Uri,
        DeliveryStatus: q.deliveryStatus,
        EventDataStoreOwnerAccountId: q.ownerAccountId ?? q.accountId,
      };
    },

    async GetQueryResults(
      input: GetQueryResultsRequest,
      ctx: RequestContext,
    ): Promise<GetQueryResultsResponse> {
      const max = input.MaxQueryResults ?? 1000;
      if (!Number.isInteger(max) || max < 1 || max > 1000) throw LakeErrors.invalidMaxResults();
      if (input.EventDataStore) storeFor(rt, input.EventDataStore, ctx, "cloudtrail:GetQueryResults");
      const q = findQuery(input, ctx, "cloudtrail:GetQueryResults");
      // While the query runs, answer once it settles (at most a second later) instead of at
      // once: pollers get their rows one round trip sooner and make fewer calls.
      if (ACTIVE_STATUSES.has(q.status))
        await Promise.race([rt.engine.settled(q.id), new Promise((r) => setTimeout(r, LONG_POLL_MS))]);
      const start = input.NextToken === undefined ? 0 : decodeToken(input.NextToken, `results-${q.id}`);
      const n = ACTIVE_STATUSES.has(q.status) ? 0 : Math.min(max, q.resultsCount - start);
      const rows = n > 0 ? await rt.engine.results(q, start, n) : [];
      const more = !ACTIVE_STATUSES.has(q.status) && start + rows.length < q.resultsCount;
      return {
        QueryStatus: q.status,
        QueryStatistics: {
          ResultsCount: rows.length,
          TotalResultsCount: q.resultsCount,
          BytesScanned: q.bytesScanned,
        },
        QueryResultRows: resultRows(q.columns, rows),
        NextToken: more ? encodeToken(`results-${q.id}`, start + rows.length) : undefined,
        ErrorMessage: q.errorMessage,
      };
    },

    async ListQueries(input: ListQueriesRequest, ctx: RequestContext): Promise<ListQueriesResponse> {
      const entry = storeFor(rt, input.EventDataStore ?? "", ctx, "cloudtrail:ListQueries");
      if (entry.record.status === "PENDING_DELETION") throw LakeErrors.inactiveStore(entry.record.arn);
      if (input.QueryStatus && !STATUSES.has(input.QueryStatus))
        throw LakeErrors.invalidQueryStatus(input.QueryStatus);
      const from = input.StartTime?.getTime() ?? 0;
      const to = input.EndTime?.getTime() ?? Number.POSITIVE_INFINITY;
      if (from > to) throw LakeErrors.invalidDateRange();
      const now = rt.now();
      const queries = rt.engine
        .all()
        .filter(
          (q) =>
            q.accountId === account(ctx) &&
            q.storeArns.includes(entry.record.arn) &&
            !expired(q, now) &&
            q.createdAt >= from &&
            q.createdAt <= to &&
            (!input.QueryStatus || q.status === input.QueryStatus),
        )
        .sort((a, b) => b.createdAt - a.createdAt);
      const page = pageOf(queries, input.NextToken, input.MaxResults, 1000, `queries-${entry.record.id}`);
      return {
        Queries: page.items.map((q) => ({
          QueryId: q.id,
          QueryStatus: q.status,
          CreationTime: new Date(q.createdAt),
        })),
        NextToken: page.nextToken,
      };
    },

    async CancelQuery(input: CancelQueryRequest, ctx: RequestContext): Promise<CancelQueryResponse> {
      if (input.EventDataStore) storeFor(rt, input.EventDataStore, ctx, "cloudtrail:CancelQuery");
      const q = findQuery(input, ctx, "cloudtrail:CancelQuery");
      if (!ACTIVE_STATUSES.has(q.status)) throw LakeErrors.inactiveQuery(q.id, q.status);
      rt.engine.cancel(q);
      return {
        QueryId: q.id,
        QueryStatus: "CANCELLED",
        EventDataStoreOwnerAccountId: q.ownerAccountId ?? q.accountId,
      };
    },
  };
}

/**
 * Every table a statement reads must be an active event data store its caller may query: of
 * its own account, or of one other account whose policy on each store allows it
 * cloudtrail:StartQuery. One account's stores per query, as CloudTrail's
 * EventDataStoreOwnerAccountId implies.
 */
function resolveStores(
  rt: LakeRuntime,
  ctx: RequestContext,
  tables: Set<string>,
  owner: string | undefined,
): { stores: QueryStore[]; ownerAccountId: string; scope: SandboxScope } {
  const caller = ctx.principal.accountId;
  if (tables.size === 0)
    throw LakeErrors.invalidQueryStatement(
      "A query must read at least one event data store: FROM <event data store ID>.",
    );
  const entries = [...tables].map((name) => {
    const entry = rt.stores.get(name);
    const r = entry?.record;
    // Another account's store: its owner gets a copy of the call, allowed or refused (the caller
    // learns nothing from that).
    if (r && r.accountId !== caller) ctx.resourceAccountId ??= r.accountId;
    if (
      !entry ||
      !r ||
      (owner ?? r.accountId) !== r.accountId ||
      !rt.policies.allows(r, ctx, "cloudtrail:StartQuery")
    )
      throw LakeErrors.invalidQueryStatement(
        `${name} is not an event data store of account ${owner ?? caller} that you may query; use the ID of one of your event data stores, or of one whose resource policy allows you cloudtrail:StartQuery, after FROM.`,
      );
    if (r.status === "PENDING_DELETION") throw LakeErrors.inactiveStore(r.arn);
    return entry;
  });
  const owners = new Set(entries.map((e) => e.record.accountId));
  const ownerAccountId = owner ?? (entries[0] as StoreEntry).record.accountId;
  if (owners.size > 1 || !owners.has(ownerAccountId))
    throw LakeErrors.invalidQueryStatement(
      `A query reads the event data stores of one account; this one names stores of ${[...owners].join(" and ")}.`,
    );
  const scope =
    ownerAccountId === caller
      ? accountScope(caller)
      : grantScope(entries.map((e) => rt.storeFolder(e.record)));
  const stores = entries.map((e) => ({
    id: e.record.id,
    files: e.files,
    cutoff: retentionCutoff(e.record, rt.now()),
  }));
  return { stores, ownerAccountId, scope };
}

/**
 * Rows as CloudTrail's one-key objects. Built by assignment: an object literal with a computed
 * key costs about four times as much, and a page holds up to a thousand rows of them.
 */
function resultRows(columns: string[], rows: ResultRow[]): Array<Array<Record<string, string>>> {
  const out: Array<Array<Record<string, string>>> = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as ResultRow;
    const cells: Array<Record<string, string>> = new Array(columns.length);
    for (let i = 0; i < columns.length; i++) {
      const cell: Record<string, string> = {};
      cell[columns[i] as string] = row[i] as string;
      cells[i] = cell;
    }
    out[r] = cells;
  }
  return out;
}

function expired(q: QueryRecord, now: number): boolean {
  return !ACTIVE_STATUSES.has(q.status) && (q.endedAt ?? q.createdAt) < now - RESULT_RETENTION_MS;
}
