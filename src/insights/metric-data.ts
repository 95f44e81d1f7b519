import type {
  ListInsightsMetricDataRequest,
  ListInsightsMetricDataResponse,
} from "@aws-sdk/client-cloudtrail";
import type { RequestContext } from "../server/request-context.js";
import type { TrailInsightsAccess } from "../trails/index.js";
import { InsightErrors } from "./insight-errors.js";
import type { InsightsStore } from "./insights-store.js";
import { decodeToken, encodeToken } from "./next-token.js";
import { INSIGHT_TYPES, type InsightType, seriesKeyString } from "./series-key.js";

const invalid = InsightErrors.invalidParameter;
const EVENT_SOURCE = /^[a-z0-9_-]+\.amazonaws\.com$/;
const EVENT_NAME = /^[A-Za-z0-9_]+$/;
const ERROR_CODE = /^[\w\d\s_.,\-:[\]]+$/;
const PERIODS = new Set([60, 300, 3600]);
const MAX_POINTS = 21_600;
const DAY_MS = 86_400_000;

/**
 * ListInsightsMetricData: an API's calls (or errors with one errorCode) per Period (60, 300 or
 * 3600 s; default 3600) in [StartTime, EndTime) (default: the 90 days before now), as
 * Timestamps/Values; NonZeroData (default) leaves out empty periods, FillWithZeros does not.
 * Per-minute counts are kept 15 days (periods of 60 and 300 s), hourly counts 90 days. With
 * TrailName, the trail's data-event rates; without, the account's management-event rates.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_ListInsightsMetricData.html
 */
export function listInsightsMetricData(deps: {
  trails: TrailInsightsAccess;
  store: InsightsStore;
  flush(): Promise<void>;
  now(): number;
}) {
  return async (
    input: ListInsightsMetricDataRequest,
    ctx: RequestContext,
  ): Promise<ListInsightsMetricDataResponse> => {
    const p = validate(input, deps.now());
    const trail =
      input.TrailName !== undefined
        ? deps.trails.find(input.TrailName, ctx.principal.accountId, ctx.region, false)
        : undefined;
    const key = seriesKeyString({
      account: ctx.principal.accountId,
      region: ctx.region,
      insightType: p.insightType,
      category: trail ? "Data" : "Management",
      eventSource: p.eventSource,
      eventName: p.eventName,
      errorCode: p.insightType === "ApiErrorRateInsight" ? p.errorCode : undefined,
      insightSource: trail?.trailArn,
    });
    const binding = [key, p.start, p.end, p.period, p.fill];
    let from = p.start;
    if (input.NextToken !== undefined) {
      const resume = decodeToken<number>(input.NextToken, binding);
      if (resume === undefined) throw invalid("The provided NextToken is not valid.");
      from = resume;
    }
    await deps.flush();
    const id = deps.store.seriesId(key);
    const points =
      id === undefined ? new Map<number, number>() : bucket(deps.store, id, from, p.end, p.period);
    const timestamps: Date[] = [];
    const values: number[] = [];
    let next: number | undefined;
    for (let t = from; t < p.end; t += p.period * 1000) {
      const v = points.get(t) ?? 0;
      if (v === 0 && !p.fill) continue;
      if (timestamps.length === p.max) {
        next = t;
        break;
      }
      timestamps.push(new Date(t));
      values.push(v);
    }
    return {
      TrailARN: trail?.trailArn,
      EventSource: p.eventSource,
      EventName: p.eventName,
      InsightType: p.insightType,
      ErrorCode: p.insightType === "ApiErrorRateInsight" ? p.errorCode : undefined,
      Timestamps: timestamps,
      Values: values,
      NextToken: next === undefined ? undefined : encodeToken(next, binding),
    };
  };
}

interface MetricQuery {
  eventSource: string;
  eventName: string;
  insightType: InsightType;
  errorCode?: string;
  period: number;
  fill: boolean;
  max: number;
  /** Period-aligned ms; end exclusive. */
  start: number;
  end: number;
}

function validate(input: ListInsightsMetricDataRequest, now: number): MetricQuery {
  const { EventSource: source = "", EventName: name = "", InsightType: type, ErrorCode: errorCode } = input;
  if (source.length > 256 || !EVENT_SOURCE.test(source))
    throw invalid(`Value ${source} for EventSource is invalid; it must look like iam.amazonaws.com.`);
  if (name.length > 128 || !EVENT_NAME.test(name)) throw invalid(`Value ${name} for EventName is invalid.`);
  if (!type || !(INSIGHT_TYPES as readonly string[]).includes(type))
    throw invalid(
      `Value ${type} for InsightType is invalid; valid values are ApiCallRateInsight and ApiErrorRateInsight.`,
    );
  if (type === "ApiErrorRateInsight" && !errorCode)
    throw invalid("ErrorCode is required when InsightType is ApiErrorRateInsight.");
  if (errorCode !== undefined && (errorCode.length > 128 || !ERROR_CODE.test(errorCode)))
    throw invalid(`Value ${errorCode} for ErrorCode is invalid.`);
  const period = input.Period ?? 3600;
  if (!PERIODS.has(period)) throw invalid("Period must be 60, 300 or 3600 seconds.");
  const dataType = input.DataType ?? "NonZeroData";
  if (dataType !== "NonZeroData" && dataType !== "FillWithZeros")
    throw invalid(
      `Value ${dataType} for DataType is invalid; valid values are FillWithZeros and NonZeroData.`,
    );
  const max = input.MaxResults ?? MAX_POINTS;
  if (!Number.isInteger(max) || max < 1 || max > MAX_POINTS)
    throw invalid(`MaxResults must be between 1 and ${MAX_POINTS}.`);
  const end = input.EndTime?.getTime() ?? now;
  const startRaw = input.StartTime?.getTime() ?? end - 90 * DAY_MS;
  if (Number.isNaN(end) || Number.isNaN(startRaw) || startRaw >= end)
    throw invalid("StartTime must be before EndTime.");
  const step = period * 1000;
  return {
    eventSource: source,
    eventName: name,
    insightType: type as InsightType,
    errorCode,
    period,
    fill: dataType === "FillWithZeros",
    max,
    start: Math.floor(startRaw / step) * step,
    end,
  };
}

/** Counts per period start (ms), from minute counts or, for hourly periods, hour counts. */
function bucket(
  store: InsightsStore,
  id: number,
  from: number,
  to: number,
  period: number,
): Map<number, number> {
  const out = new Map<number, number>();
  const unit = period === 3600 ? "hour" : "minute";
  const unitMs = unit === "hour" ? 3_600_000 : 60_000;
  const step = period * 1000;
  for (const [u, count] of store.seriesCounts(id, unit, Math.floor(from / unitMs), Math.ceil(to / unitMs))) {
    const t = Math.floor((u * unitMs) / step) * step;
    out.set(t, (out.get(t) ?? 0) + count);
  }
  return out;
}
