import { httpUrl, specEntries } from "./spec-values.js";

/**
 * `--sns-endpoint TOPIC=URL` (repeatable) and `OPENTRAIL_SNS_ENDPOINTS` (the same entries
 * separated by `;`): the HTTP(S) endpoints standing for SNS topics. A trail whose SnsTopicName
 * is TOPIC (a topic name, for any account and Region, or a full topic ARN) POSTs an SNS
 * notification there for every log file delivery, as SNS does for an HTTP subscription.
 */
export interface SnsEndpointConfig {
  topic: string;
  url: string;
}

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

export class SnsEndpointSpecError extends Error {}

export function parseSnsEndpoint(spec: string): SnsEndpointConfig {
  const fail = (why: string) =>
    new SnsEndpointSpecError(`invalid SNS endpoint '${spec}': ${why} (expected TOPIC=URL)`);
  // A topic ARN contains ':' but never '=', so the first '=' ends the topic.
  const eq = spec.indexOf("=");
  if (eq <= 0) throw fail("missing TOPIC=");
  const topic = spec.slice(0, eq).trim();
  if (!TOPIC_NAME.test(topic) && !TOPIC_ARN.test(topic))
    throw fail(`'${topic}' is neither an SNS topic name nor a topic ARN`);
  const url = spec.slice(eq + 1).trim();
  const parsed = httpUrl(url);
  if (typeof parsed === "string") throw fail(parsed);
  return { topic, url: parsed.href };
}

/** Flag entries, else the `;`-separated environment variable; one endpoint per topic. */
export function parseSnsEndpoints(
  flags: readonly string[] | undefined,
  env: string | undefined,
): SnsEndpointConfig[] {
  const out: SnsEndpointConfig[] = [];
  for (const spec of specEntries(flags, env)) {
    const endpoint = parseSnsEndpoint(spec.trim());
    if (out.some((e) => e.topic === endpoint.topic))
      throw new SnsEndpointSpecError(`SNS endpoint for topic '${endpoint.topic}' configured twice`);
    out.push(endpoint);
  }
  return out;
}
