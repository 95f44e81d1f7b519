import type {
  DescribeTrailsRequest,
  DescribeTrailsResponse,
  GetTrailRequest,
  GetTrailResponse,
  GetTrailStatusRequest,
  GetTrailStatusResponse,
  ListTrailsRequest,
  ListTrailsResponse,
  StartLoggingRequest,
  StartLoggingResponse,
  StopLoggingRequest,
  StopLoggingResponse,
} from "@aws-sdk/client-cloudtrail";
import type { RequestContext } from "../server/request-context.js";
import { TrailErrors } from "./trail-errors.js";
import { epochOf } from "./trail-model.js";
import { parseTrailRef } from "./trail-name.js";
import type { TrailEntry } from "./trail-registry.js";
import { toTrail, toTrailStatus } from "./trail-view.js";
import type { TrailsRuntime } from "./trails-runtime.js";

const LIST_PAGE = 50;

/**
 * GetTrail, DescribeTrails, ListTrails, GetTrailStatus, StartLogging, StopLogging.
 * Shadow trails (a multi-Region trail seen from another Region) are found by ARN only and can
 * not be started or stopped there (InvalidHomeRegionException).
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_DescribeTrails.html
 */
export function trailReadHandlers(rt: TrailsRuntime) {
  return {
    GetTrail: async (input: GetTrailRequest, ctx: RequestContext): Promise<GetTrailResponse> => {
      const entry = rt.registry.resolve(parseTrailRef(input.Name), ctx.principal.accountId, ctx.region);
      return { Trail: toTrail(entry.record.config) };
    },

    DescribeTrails: async (
      input: DescribeTrailsRequest,
      ctx: RequestContext,
    ): Promise<DescribeTrailsResponse> => {
      const accountId = ctx.principal.accountId;
      const shadows = input.includeShadowTrails ?? true;
      const names = input.trailNameList ?? [];
      if (names.length === 0)
        return {
          trailList: rt.registry
            .visibleIn(accountId, ctx.region, shadows)
            .map((e) => toTrail(e.record.config)),
        };
      // Names that match nothing are left out, as CloudTrail does; only malformed ones fail.
      const found = new Map<string, TrailEntry>();
      for (const name of names) {
        const ref = parseTrailRef(name);
        const entry = rt.registry.find(ref, accountId, ctx.region);
        if (entry && (shadows || entry.record.config.homeRegion === ctx.region))
          found.set(entry.record.config.id, entry);
      }
      return { trailList: [...found.values()].map((e) => toTrail(e.record.config)) };
    },

    ListTrails: async (input: ListTrailsRequest, ctx: RequestContext): Promise<ListTrailsResponse> => {
      const all = rt.registry.all().filter((e) => e.record.config.accountId === ctx.principal.accountId);
      const start = input.NextToken === undefined ? 0 : decodeToken(input.NextToken);
      const page = all.slice(start, start + LIST_PAGE);
      const next = start + LIST_PAGE < all.length ? encodeToken(start + LIST_PAGE) : undefined;
      return {
        Trails: page.map(({ record: { config: c } }) => ({
          TrailARN: c.arn,
          Name: c.name,
          HomeRegion: c.homeRegion,
        })),
        NextToken: next,
      };
    },

    GetTrailStatus: async (
      input: GetTrailStatusRequest,
      ctx: RequestContext,
    ): Promise<GetTrailStatusResponse> => {
      const entry = rt.registry.resolve(parseTrailRef(input.Name), ctx.principal.accountId, ctx.region);
      return toTrailStatus(entry.record.status);
    },

    StartLogging: async (input: StartLoggingRequest, ctx: RequestContext): Promise<StartLoggingResponse> => {
      setLogging(
        rt,
        rt.registry.resolveHome(parseTrailRef(input.Name), ctx.principal.accountId, ctx.region),
        true,
      );
      return {};
    },

    StopLogging: async (input: StopLoggingRequest, ctx: RequestContext): Promise<StopLoggingResponse> => {
      setLogging(
        rt,
        rt.registry.resolveHome(parseTrailRef(input.Name), ctx.principal.accountId, ctx.region),
        false,
      );
      return {};
    },
  };
}

/**
 * From this moment (the log's current end) the trail takes events, or stops taking them;
 * events recorded while it is stopped are never delivered. Repeating the call changes nothing.
 */
function setLogging(rt: TrailsRuntime, entry: TrailEntry, on: boolean): void {
  const { record } = entry;
  if (record.status.isLogging === on) return;
  const now = rt.now();
  record.status = on
    ? { ...record.status, isLogging: true, startLoggingTime: now }
    : { ...record.status, isLogging: false, stopLoggingTime: now };
  rt.registry.save(entry, epochOf(record.config, on, rt.logEnd(), now));
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64");
}

function decodeToken(token: string): number {
  try {
    const offset = (JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { o?: unknown }).o;
    if (typeof offset === "number" && Number.isSafeInteger(offset) && offset >= 0) return offset;
  } catch {
    // falls through to the error
  }
  throw TrailErrors.invalidNextToken();
}
