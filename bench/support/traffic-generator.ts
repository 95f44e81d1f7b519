import type { EventDraft } from "../../src/recorder/event-sink.js";
import { type Random, seededRandom } from "./event-generator.js";
import {
  AGENTS,
  type AnomalyKind,
  type Api,
  apis,
  DAY_MS,
  eventFactory,
  expectedRate,
  gaussian,
  iso,
  MINUTE_MS,
  normalPatterns,
  oneOf,
  pick,
  poisson,
} from "./traffic-profile.js";

export type { AnomalyKind } from "./traffic-profile.js";

/**
 * Weeks of per-minute CloudTrail management traffic for one account and Region, compressed in
 * time (generated as fast as it is consumed), with labelled anomalies injected after a warm-up:
 * the reusable ground truth for Insights' tests and benchmark.
 *
 * Normal traffic: a dozen APIs, each with its own volume, a diurnal curve (UTC, peak mid
 * afternoon, a night floor), quieter weekends, per-minute log-normal noise on top of Poisson
 * arrivals, a few callers and agents per API with skewed weights, and a small background error
 * rate. Two kinds of normal that fool naive detectors: a nightly backup job that bursts every
 * day at 02:00 (±1 min), and now and then an admin doing a handful of quiet-API calls at once.
 *
 * Anomalies (non-overlapping, ≥ 90 minutes apart): `call-burst` (one caller multiplies an API's
 * call rate by 2–20x, adding at least 12 calls a minute, for 1–40 minutes), `error-storm` (a caller hits an errorCode 8–60 times a
 * minute), `new-caller` (a role that never used IAM calls an IAM write API 8–40 times a minute).
 * Each is labelled with its API, kind, start, end, injected rate and `ratio`: (expected +
 * injected) / expected at its start, expected being the true seasonal rate of that series.
 */
export interface TrafficOptions {
  seed?: number;
  /** First minute (rounded down to a minute). */
  start: Date;
  days: number;
  /** No anomaly before this many days: the analyzer's baseline warm-up. */
  warmupDays: number;
  anomaliesPerDay?: number;
  /** Multiplies every normal rate (1 ≈ 40 calls/minute on average). */
  volume?: number;
  account?: string;
  region?: string;
}

export interface LabelledAnomaly {
  id: number;
  kind: AnomalyKind;
  insightType: "ApiCallRateInsight" | "ApiErrorRateInsight";
  eventSource: string;
  eventName: string;
  errorCode?: string;
  startMs: number;
  /** Exclusive. */
  endMs: number;
  minutes: number;
  /** A call burst's multiple of the normal rate (before the minimum size applies). */
  multiplier?: number;
  /** Injected calls (or errors) per minute at the start. */
  injectedPerMinute: number;
  ratio: number;
  /** Who drives it: the userIdentity ARN and user agent of the injected calls. */
  identityArn: string;
  userAgent: string;
}

export interface Traffic {
  anomalies: LabelledAnomaly[];
  startMs: number;
  endMs: number;
  /** The drafts of one minute, in eventTime order (minutes from `startMs`, in order). */
  minutes(): Generator<EventDraft[]>;
}

const KINDS: Array<{ kind: AnomalyKind; weight: number }> = [
  { kind: "call-burst", weight: 5 },
  { kind: "error-storm", weight: 3 },
  { kind: "new-caller", weight: 2 },
];
const LENGTHS = [1, 2, 3, 3, 4, 5, 5, 8, 10, 15, 20, 30, 40];
const MULTIPLIERS = [2, 3, 5, 5, 6, 8, 12, 20];
const STORM_RATES = [8, 12, 20, 30, 60];
const NEW_CALLER_RATES = [8, 12, 20, 40];
/**
 * A burst adds at least this many calls a minute: within two minutes, a multiple of a rate of
 * one or two calls a minute cannot be told from noise at an acceptable false-alarm rate.
 */
const MIN_BURST_PER_MINUTE = 12;

const burstRate = (multiplier: number, expected: number) =>
  Math.max((multiplier - 1) * expected, MIN_BURST_PER_MINUTE);

function planAnomalies(
  random: Random,
  list: Api[],
  o: Required<TrafficOptions>,
  startMs: number,
  endMs: number,
): LabelledAnomaly[] {
  const out: LabelledAnomaly[] = [];
  const gap = DAY_MS / Math.max(o.anomaliesPerDay, 1e-9);
  let t = startMs + o.warmupDays * DAY_MS + Math.floor(random() * 60) * MINUTE_MS;
  while (o.anomaliesPerDay > 0 && t < endMs - 2 * 3_600_000) {
    const { kind } = pick(random, KINDS);
    const api = oneOf(
      random,
      list.filter((a) => a.targets.includes(kind)),
    );
    const minutes = oneOf(random, LENGTHS);
    const expected = expectedRate(api, t);
    const base = {
      id: out.length,
      kind,
      eventSource: api.source,
      eventName: api.name,
      startMs: t,
      endMs: t + minutes * MINUTE_MS,
      minutes,
    };
    if (kind === "call-burst") {
      const m = oneOf(random, MULTIPLIERS);
      const who =
        random() < 0.5
          ? oneOf(random, api.callers)
          : {
              arn: `arn:aws:sts::${o.account}:assumed-role/AppRole/i-0bad${out.length}`,
              agent: AGENTS.python,
            };
      const injected = burstRate(m, expected);
      out.push({
        ...base,
        insightType: "ApiCallRateInsight",
        multiplier: m,
        injectedPerMinute: injected,
        ratio: (expected + injected) / expected,
        identityArn: who.arn,
        userAgent: who.agent,
      });
    } else if (kind === "error-storm") {
      const errorCode = oneOf(random, api.errors);
      const rate = oneOf(random, STORM_RATES);
      const normal = (expected * api.errorRate) / api.errors.length;
      out.push({
        ...base,
        insightType: "ApiErrorRateInsight",
        errorCode,
        injectedPerMinute: rate,
        ratio: (normal + rate) / Math.max(normal, 1e-6),
        identityArn: `arn:aws:iam::${o.account}:user/svc-scanner`,
        userAgent: AGENTS.go,
      });
    } else {
      const rate = oneOf(random, NEW_CALLER_RATES);
      out.push({
        ...base,
        insightType: "ApiCallRateInsight",
        injectedPerMinute: rate,
        ratio: (expected + rate) / Math.max(expected, 1e-6),
        identityArn: `arn:aws:sts::${o.account}:assumed-role/BuildRole/session-${out.length}`,
        userAgent: AGENTS.go,
      });
    }
    t += (minutes + Math.max(90, Math.round((-Math.log(random() || 1e-9) * gap) / MINUTE_MS))) * MINUTE_MS;
  }
  return out;
}

/** Builds the traffic; `minutes()` can be iterated several times and yields the same events. */
export function createTraffic(options: TrafficOptions): Traffic {
  const o: Required<TrafficOptions> = {
    seed: 7,
    anomaliesPerDay: 6,
    volume: 1,
    account: "123456789012",
    region: "us-east-1",
    ...options,
  };
  const startMs = Math.floor(o.start.getTime() / MINUTE_MS) * MINUTE_MS;
  const endMs = startMs + Math.round(o.days * DAY_MS);
  const list = apis(o.account, o.volume);
  const anomalies = planAnomalies(seededRandom(o.seed * 31 + 1), list, o, startMs, endMs);
  const apiOf = (a: LabelledAnomaly) =>
    list.find((x) => x.source === a.eventSource && x.name === a.eventName) as Api;
  return {
    anomalies,
    startMs,
    endMs,
    *minutes() {
      const random = seededRandom(o.seed);
      const injected = seededRandom(o.seed * 31 + 2);
      const make = eventFactory(o.account, o.region, random);
      for (let m = startMs; m < endMs; m += MINUTE_MS) {
        const batch: Array<[number, EventDraft]> = [];
        const at = () => m + Math.floor(random() * MINUTE_MS);
        for (const api of list) {
          const n = poisson(random, expectedRate(api, m) * Math.exp(0.25 * gaussian(random) - 0.03));
          for (let i = 0; i < n; i++) {
            const who = pick(random, api.callers);
            const failed = random() < api.errorRate ? oneOf(random, api.errors) : undefined;
            batch.push([at(), make(api.source, api.name, api.readOnly, who.arn, who.agent, failed)]);
          }
        }
        normalPatterns(m, random, o.account, make, batch);
        for (const a of anomalies) {
          if (m < a.startMs || m >= a.endMs) continue;
          const api = apiOf(a);
          const rate =
            a.multiplier !== undefined ? burstRate(a.multiplier, expectedRate(api, m)) : a.injectedPerMinute;
          const n = poisson(injected, rate);
          for (let i = 0; i < n; i++) {
            const when = m + Math.floor(injected() * MINUTE_MS);
            batch.push([
              when,
              make(api.source, api.name, api.readOnly, a.identityArn, a.userAgent, a.errorCode),
            ]);
          }
        }
        batch.sort((x, y) => x[0] - y[0]);
        yield batch.map(([ms, d]) => Object.assign(d, { eventTime: iso(ms) }));
      }
    },
  };
}
