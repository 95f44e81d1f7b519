import { resolve } from "node:path";
import type { LogLevel } from "./logger.js";
import { parseSnsEndpoints, type SnsEndpointConfig, SnsEndpointSpecError } from "./sns-endpoints.js";
import { parseUpstreams, type UpstreamConfig, UpstreamSpecError } from "./upstreams.js";

export type { SnsEndpointConfig } from "./sns-endpoints.js";
export type { UpstreamConfig } from "./upstreams.js";

/**
 * The only module that reads environment variables. Precedence: command-line flag, then
 * `OPENTRAIL_*` variable, then the default.
 */
export interface OpenTrailConfig {
  host: string;
  port: number;
  dataDir: string;
  region: string;
  identitiesFile?: string;
  logLevel: LogLevel;
  /** Event history retention (CloudTrail: 90 days). */
  historyRetentionDays: number;
  /** Let LookupEvents combine several lookup attributes with AND (CloudTrail allows one). */
  combineLookupAttributes: boolean;
  /** Largest request body accepted by the JSON and query APIs. */
  maxJsonBodyBytes: number;
  /** Largest S3 request body (objects are buffered in memory for now). */
  maxS3BodyBytes: number;
  /** SigV4 clock-skew window. */
  clockSkewSeconds: number;
  /** Event log segment size. */
  segmentBytes: number;
  /** How often trails flush log files (CloudTrail: about every 5 minutes; here seconds). */
  deliveryIntervalSeconds: number;
  /** How often trails write digest files (CloudTrail: hourly). */
  digestIntervalSeconds: number;
  /** HTTP(S) endpoints standing for SNS topics (trail notifications). */
  snsEndpoints: SnsEndpointConfig[];
  /** Services the audit gateway forwards to, by signing name (src/gateway). */
  upstreams: UpstreamConfig[];
  /** Idle timeout towards an upstream (no byte sent or received for this long). */
  upstreamTimeoutSeconds: number;
  /** CIDRs of reverse proxies whose X-Forwarded-For is believed for sourceIPAddress. */
  trustedProxies: string[];
  /** CloudTrail Lake query time limit (CloudTrail: queries may time out after an hour). */
  lakeQueryTimeoutSeconds: number;
  /** DuckDB memory limit of each account's Lake query sandbox, e.g. `1GB`. */
  lakeQueryMemory: string;
  /** Lake queries executing at once; more wait QUEUED (up to CloudTrail's 10 per account). */
  lakeRunningQueries: number;
  /** External S3 endpoint StartImport reads from when a bucket is not in the built-in store. */
  importS3?: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string };
  /** CloudTrail Insights' analyzer (src/insights). */
  insights: InsightsConfig;
}

export interface InsightsConfig {
  /** Baseline window (CloudTrail: seven days). */
  baselineDays: number;
  /** How long a minute waits for late events after it ends. */
  latenessSeconds: number;
  /** `wall`: minutes also close as time passes; `events`: only event times move the analyzer. */
  clock: "wall" | "events";
}

export interface ConfigFlags {
  host?: string;
  port?: string | number;
  data?: string;
  region?: string;
  identities?: string;
  logLevel?: string;
  deliveryInterval?: string | number;
  digestInterval?: string | number;
  snsEndpoint?: string[];
  upstream?: string[];
  upstreamTimeout?: string | number;
  trustedProxy?: string[];
  lakeQueryTimeout?: string | number;
  lakeQueryMemory?: string;
  importS3Endpoint?: string;
  insightsBaselineDays?: string | number;
  insightsClock?: string;
}

const LEVELS: LogLevel[] = ["debug", "info", "warn", "error", "silent"];

export class ConfigError extends Error {}

export function resolveConfig(
  flags: ConfigFlags = {},
  env: NodeJS.ProcessEnv = process.env,
): OpenTrailConfig {
  const port = Number(flags.port ?? env.OPENTRAIL_PORT ?? 4580);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new ConfigError(`invalid port: ${flags.port ?? env.OPENTRAIL_PORT}`);
  const logLevel = (flags.logLevel ?? env.OPENTRAIL_LOG_LEVEL ?? "info") as LogLevel;
  if (!LEVELS.includes(logLevel))
    throw new ConfigError(`invalid log level: ${logLevel} (one of ${LEVELS.join(", ")})`);
  const region = flags.region ?? env.OPENTRAIL_REGION ?? "us-east-1";
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new ConfigError(`invalid region: ${region}`);
  const identities = flags.identities ?? env.OPENTRAIL_IDENTITIES;
  let upstreams: UpstreamConfig[];
  try {
    upstreams = parseUpstreams(flags.upstream, env.OPENTRAIL_UPSTREAMS);
  } catch (e) {
    throw e instanceof UpstreamSpecError ? new ConfigError(e.message) : e;
  }
  let snsEndpoints: SnsEndpointConfig[];
  try {
    snsEndpoints = parseSnsEndpoints(flags.snsEndpoint, env.OPENTRAIL_SNS_ENDPOINTS);
  } catch (e) {
    throw e instanceof SnsEndpointSpecError ? new ConfigError(e.message) : e;
  }
  const proxies = flags.trustedProxy?.length
    ? flags.trustedProxy
    : (env.OPENTRAIL_TRUSTED_PROXIES ?? "").split(",").filter((s) => s.trim() !== "");
  return {
    host: flags.host ?? env.OPENTRAIL_HOST ?? "127.0.0.1",
    port,
    dataDir: resolve(flags.data ?? env.OPENTRAIL_DATA_DIR ?? "data"),
    region,
    identitiesFile: identities ? resolve(identities) : undefined,
    logLevel,
    historyRetentionDays: positive(
      env.OPENTRAIL_HISTORY_RETENTION_DAYS,
      90,
      "OPENTRAIL_HISTORY_RETENTION_DAYS",
    ),
    combineLookupAttributes: env.OPENTRAIL_COMBINE_LOOKUP_ATTRIBUTES === "true",
    maxJsonBodyBytes: 1024 * 1024,
    maxS3BodyBytes: 256 * 1024 * 1024,
    clockSkewSeconds: 300,
    segmentBytes: 64 * 1024 * 1024,
    deliveryIntervalSeconds: positive(
      flags.deliveryInterval ?? env.OPENTRAIL_DELIVERY_INTERVAL,
      5,
      "delivery interval",
    ),
    digestIntervalSeconds: positive(
      flags.digestInterval ?? env.OPENTRAIL_DIGEST_INTERVAL,
      3600,
      "digest interval",
    ),
    snsEndpoints,
    upstreams,
    upstreamTimeoutSeconds: positive(
      flags.upstreamTimeout ?? env.OPENTRAIL_UPSTREAM_TIMEOUT,
      60,
      "upstream timeout",
    ),
    trustedProxies: proxies.map((p) => trustedProxy(p.trim())),
    lakeQueryTimeoutSeconds: positive(
      flags.lakeQueryTimeout ?? env.OPENTRAIL_LAKE_QUERY_TIMEOUT,
      3600,
      "Lake query timeout",
    ),
    lakeQueryMemory: memorySize(flags.lakeQueryMemory ?? env.OPENTRAIL_LAKE_QUERY_MEMORY ?? "1GB"),
    lakeRunningQueries: Math.ceil(
      positive(env.OPENTRAIL_LAKE_RUNNING_QUERIES, 4, "OPENTRAIL_LAKE_RUNNING_QUERIES"),
    ),
    importS3: importS3(flags.importS3Endpoint ?? env.OPENTRAIL_IMPORT_S3_ENDPOINT, env),
    insights: insightsConfig(flags, env),
  };
}

function insightsConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv): InsightsConfig {
  const clock = flags.insightsClock ?? env.OPENTRAIL_INSIGHTS_CLOCK ?? "wall";
  if (clock !== "wall" && clock !== "events")
    throw new ConfigError(`invalid Insights clock '${clock}' (expected wall or events)`);
  return {
    baselineDays: positive(
      flags.insightsBaselineDays ?? env.OPENTRAIL_INSIGHTS_BASELINE_DAYS,
      7,
      "Insights baseline days",
    ),
    latenessSeconds: nonNegative(env.OPENTRAIL_INSIGHTS_LATENESS, 10, "OPENTRAIL_INSIGHTS_LATENESS"),
    clock,
  };
}

function nonNegative(raw: string | undefined, dflt: number, name: string): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!(n >= 0) || !Number.isFinite(n)) throw new ConfigError(`${name} must be a number >= 0`);
  return n;
}

function memorySize(raw: string): string {
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(raw))
    throw new ConfigError(`invalid Lake query memory '${raw}' (expected e.g. 512MB or 2GB)`);
  return raw;
}

function importS3(endpoint: string | undefined, env: NodeJS.ProcessEnv): OpenTrailConfig["importS3"] {
  if (!endpoint) return undefined;
  const accessKeyId = env.OPENTRAIL_IMPORT_S3_ACCESS_KEY_ID;
  const secretAccessKey = env.OPENTRAIL_IMPORT_S3_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey)
    throw new ConfigError(
      "OPENTRAIL_IMPORT_S3_ENDPOINT needs OPENTRAIL_IMPORT_S3_ACCESS_KEY_ID and OPENTRAIL_IMPORT_S3_SECRET_ACCESS_KEY",
    );
  return { endpoint, region: env.OPENTRAIL_IMPORT_S3_REGION ?? "us-east-1", accessKeyId, secretAccessKey };
}

function trustedProxy(cidr: string): string {
  const [address = "", bits] = cidr.split("/");
  const v4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(address);
  const v6 = address.includes(":");
  const max = v6 ? 128 : 32;
  if ((!v4 && !v6) || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max)))
    throw new ConfigError(`invalid trusted proxy '${cidr}' (expected an address or CIDR, e.g. 10.0.0.0/8)`);
  return cidr;
}

function positive(raw: string | number | undefined, dflt: number, name: string): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!(n > 0)) throw new ConfigError(`${name} must be a positive number`);
  return n;
}
