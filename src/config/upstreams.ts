import { httpUrl, specEntries } from "./spec-values.js";

/**
 * `--upstream SERVICE=URL[,accessKeyId=...,secretAccessKey=...,sessionToken=...,region=...,timeout=SECONDS]`
 * (repeatable) and `OPENTRAIL_UPSTREAMS` (the same entries separated by `;`): the AWS-compatible
 * services the audit gateway stands in front of, keyed by SigV4 signing name.
 */
export interface UpstreamConfig {
  /** SigV4 signing name the clients sign for (`dynamodb`, `kinesis`, `sqs`, `s3`, ...). */
  service: string;
  /** Base URL of the upstream endpoint, e.g. `http://127.0.0.1:8000`. */
  url: string;
  /** Credentials to re-sign forwarded calls with; absent: calls pass through as signed. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Region to re-sign for; default: the caller's region. */
  region?: string;
  /** Idle timeout towards this upstream; default: the global upstream timeout. */
  timeoutSeconds?: number;
}

const OPTIONS = new Set(["accessKeyId", "secretAccessKey", "sessionToken", "region", "timeout"]);

export class UpstreamSpecError extends Error {}

export function parseUpstream(spec: string): UpstreamConfig {
  const fail = (why: string) =>
    new UpstreamSpecError(`invalid upstream '${redact(spec)}': ${why} (expected SERVICE=URL[,key=value...])`);
  const [head = "", ...rest] = spec.split(",");
  const eq = head.indexOf("=");
  if (eq <= 0) throw fail("missing SERVICE=");
  const service = head.slice(0, eq).trim();
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(service)) throw fail(`'${service}' is not a signing name`);
  const url = head.slice(eq + 1).trim();
  const parsed = httpUrl(url);
  if (typeof parsed === "string") throw fail(parsed);
  const options: Record<string, string> = {};
  for (const part of rest) {
    const i = part.indexOf("=");
    const key = i < 0 ? part.trim() : part.slice(0, i).trim();
    if (!OPTIONS.has(key)) throw fail(`unknown option '${key}'`);
    options[key] = i < 0 ? "" : part.slice(i + 1).trim();
  }
  const config: UpstreamConfig = { service, url: parsed.href.replace(/\/$/, "") };
  if (options.accessKeyId !== undefined || options.secretAccessKey !== undefined) {
    if (!options.accessKeyId || !options.secretAccessKey)
      throw fail("accessKeyId and secretAccessKey go together");
    config.credentials = {
      accessKeyId: options.accessKeyId,
      secretAccessKey: options.secretAccessKey,
      sessionToken: options.sessionToken || undefined,
    };
  }
  if (options.region) config.region = options.region;
  if (options.timeout !== undefined) {
    const seconds = Number(options.timeout);
    if (!(seconds > 0)) throw fail("timeout must be a positive number of seconds");
    config.timeoutSeconds = seconds;
  }
  return config;
}

/** Flag entries, else the `;`-separated environment variable; one entry per service. */
export function parseUpstreams(
  flags: readonly string[] | undefined,
  env: string | undefined,
): UpstreamConfig[] {
  const out: UpstreamConfig[] = [];
  for (const spec of specEntries(flags, env)) {
    const upstream = parseUpstream(spec.trim());
    if (out.some((u) => u.service === upstream.service))
      throw new UpstreamSpecError(`upstream for '${upstream.service}' configured twice`);
    out.push(upstream);
  }
  return out;
}

/** Error messages never echo a secret. */
function redact(spec: string): string {
  return spec.replace(/(secretAccessKey|sessionToken)=[^,]*/g, "$1=***");
}
