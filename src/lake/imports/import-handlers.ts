import { randomUUID } from "node:crypto";
import type {
  GetImportRequest,
  GetImportResponse,
  ListImportFailuresRequest,
  ListImportFailuresResponse,
  ListImportsRequest,
  ListImportsResponse,
  StartImportRequest,
  StartImportResponse,
  StopImportRequest,
  StopImportResponse,
} from "@aws-sdk/client-cloudtrail";
import type { RequestContext } from "../../server/request-context.js";
import { LakeErrors } from "../lake-errors.js";
import type { LakeObjectStore, LakeRuntime } from "../lake-runtime.js";
import { pageOf } from "../paging.js";
import { type ImportRecord, ONGOING, toImportView } from "./import-model.js";
import { runImport, splitUri } from "./import-runner.js";

const URI = /^s3:\/\/[a-z0-9][.\-a-z0-9]{1,61}[a-z0-9](\/.*)?$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

/**
 * StartImport, GetImport, ListImports, ListImportFailures, StopImport (reference §1.3): import
 * CloudTrail log files from a bucket prefix — in the built-in store, or in the external S3
 * endpoint OpenTrail is configured with — into an event data store. One import runs per
 * account at a time. https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_StartImport.html
 */
export function importHandlers(rt: LakeRuntime) {
  const account = (ctx: RequestContext) => ctx.principal.accountId;
  const find = (id: string | undefined, ctx: RequestContext): ImportRecord => {
    const r = id ? rt.imports.records.get(id) : undefined;
    if (!r || r.accountId !== account(ctx)) throw LakeErrors.importNotFound(id ?? "");
    return r;
  };
  const launch = async (record: ImportRecord, ctx: RequestContext) => {
    if (
      [...rt.imports.records.values()].some(
        (r) => r.accountId === account(ctx) && r.id !== record.id && ONGOING.has(r.status),
      )
    )
      throw LakeErrors.accountHasOngoingImport();
    const source = await sourceFor(rt, splitUri(record.source.uri).bucket, account(ctx));
    record.status = "INITIALIZING";
    rt.imports.records.set(record.id, record);
    rt.db.putRecord("imports", record.id, record, record.createdAt);
    rt.imports.track(
      record.id,
      runImport(rt, record, source).catch((err) => {
        record.status = "FAILED";
        rt.db.putRecord("imports", record.id, record, record.createdAt);
        rt.opts.logger.error("import failed", { importId: record.id, error: String(err) });
      }),
    );
  };

  return {
    async StartImport(input: StartImportRequest, ctx: RequestContext): Promise<StartImportResponse> {
      if (input.ImportId) {
        const r = find(input.ImportId, ctx);
        if (ONGOING.has(r.status)) return toImportView(r);
        await launch(r, ctx);
        return toImportView(r);
      }
      const destinations = input.Destinations ?? [];
      if (destinations.length !== 1)
        throw LakeErrors.invalidParameter("Destinations must name one event data store.");
      const entry = rt.findStore(account(ctx), destinations[0] as string);
      if (entry.record.status === "PENDING_DELETION") throw LakeErrors.inactiveStore(entry.record.arn);
      if (
        entry.record.selectors.some((s) =>
          s.FieldSelectors?.some((f) =>
            f.Equals?.some((v) => v !== "Management" && v !== "Data" && f.Field === "eventCategory"),
          ),
        )
      )
        throw LakeErrors.invalidStoreCategory(
          "Imports need an event data store of CloudTrail management or data events.",
        );
      const s3 = input.ImportSource?.S3;
      if (!s3?.S3LocationUri || !URI.test(s3.S3LocationUri))
        throw LakeErrors.invalidImportSource("S3LocationUri must be s3://bucket[/prefix].");
      if (!s3.S3BucketAccessRoleArn || !ROLE_ARN.test(s3.S3BucketAccessRoleArn))
        throw LakeErrors.invalidImportSource("S3BucketAccessRoleArn must be an IAM role ARN.");
      const start = input.StartEventTime?.getTime();
      const end = input.EndEventTime?.getTime();
      if (start !== undefined && end !== undefined && start > end)
        throw LakeErrors.invalidParameter("StartEventTime must not be after EndEventTime.");
      const now = rt.now();
      const record: ImportRecord = {
        id: randomUUID(),
        accountId: account(ctx),
        destinations: [entry.record.arn],
        source: {
          uri: s3.S3LocationUri,
          bucketRegion: s3.S3BucketRegion ?? ctx.region,
          roleArn: s3.S3BucketAccessRoleArn,
        },
        startEventTime: start,
        endEventTime: end,
        status: "INITIALIZING",
        createdAt: now,
        updatedAt: now,
        stats: {
          prefixesFound: 0,
          prefixesCompleted: 0,
          filesCompleted: 0,
          eventsCompleted: 0,
          failedEntries: 0,
        },
        doneKeys: [],
      };
      await launch(record, ctx);
      return toImportView(record);
    },

    async GetImport(input: GetImportRequest, ctx: RequestContext): Promise<GetImportResponse> {
      return toImportView(find(input.ImportId, ctx));
    },

    async ListImports(input: ListImportsRequest, ctx: RequestContext): Promise<ListImportsResponse> {
      const dest = input.Destination ? rt.findStore(account(ctx), input.Destination).record.arn : undefined;
      const all = [...rt.imports.records.values()]
        .filter((r) => r.accountId === account(ctx) && (!dest || r.destinations.includes(dest)))
        .filter((r) => !input.ImportStatus || r.status === input.ImportStatus)
        .sort((a, b) => a.createdAt - b.createdAt);
      const page = pageOf(all, input.NextToken, input.MaxResults, 1000, "imports");
      return {
        Imports: page.items.map((r) => ({
          ImportId: r.id,
          ImportStatus: r.status,
          Destinations: r.destinations,
          CreatedTimestamp: new Date(r.createdAt),
          UpdatedTimestamp: new Date(r.updatedAt),
        })),
        NextToken: page.nextToken,
      };
    },

    async ListImportFailures(
      input: ListImportFailuresRequest,
      ctx: RequestContext,
    ): Promise<ListImportFailuresResponse> {
      const r = find(input.ImportId, ctx);
      const failures = rt.db.importFailures<Record<string, unknown>>(r.id);
      const page = pageOf(failures, input.NextToken, input.MaxResults, 1000, `failures-${r.id}`);
      return {
        Failures: page.items.map((f) => ({ ...f, LastUpdatedTime: new Date(f.LastUpdatedTime as number) })),
        NextToken: page.nextToken,
      };
    },

    async StopImport(input: StopImportRequest, ctx: RequestContext): Promise<StopImportResponse> {
      const r = find(input.ImportId, ctx);
      if (ONGOING.has(r.status)) {
        rt.imports.stop(r.id);
        await rt.imports.settled(r.id);
        r.status = "STOPPED";
        rt.db.putRecord("imports", r.id, r, r.createdAt);
      }
      return toImportView(r);
    },
  };
}

/** The built-in store if it has the bucket (and the caller's account owns it), else external S3. */
async function sourceFor(rt: LakeRuntime, bucket: string, accountId: string): Promise<LakeObjectStore> {
  const builtin = await rt.opts.objects.headBucket(bucket);
  if (builtin.exists) {
    if (builtin.ownerAccountId && builtin.ownerAccountId !== accountId)
      throw LakeErrors.invalidImportSource(`Bucket ${bucket} belongs to another account.`);
    return rt.opts.objects;
  }
  const external = rt.opts.externalObjects;
  if (external && (await external.headBucket(bucket)).exists) return external;
  throw LakeErrors.invalidImportSource(
    `Bucket ${bucket} does not exist in the built-in store or the configured external S3.`,
  );
}
