import { resolve } from "node:path";
import type { LogLevel } from "./logger.js";

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
  };
}

function positive(raw: string | number | undefined, dflt: number, name: string): number {
  if (raw === undefined) return dflt;
  const n = Number(raw);
  if (!(n > 0)) throw new ConfigError(`${name} must be a positive number`);
  return n;
}
