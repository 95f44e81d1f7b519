import type { InsightTransition } from "../../src/insights/index.js";
import type { LabelledAnomaly } from "./traffic-generator.js";

/** One Insight as the analyzer reported it (Start, and End when it came). */
export interface ObservedInsight {
  eventSource: string;
  eventName: string;
  insightType: string;
  errorCode?: string;
  startMs: number;
  endMs: number;
  decidedAtMs: number;
  topIdentity?: string;
}

export interface InsightScore {
  /** Anomalies ≥ 5x their baseline lasting ≥ 3 minutes (the target class). */
  target: number;
  detected: number;
  recall: number;
  /** Recall on the anomalies outside the target class (smaller or shorter), for information. */
  otherRecall: number;
  otherCount: number;
  falseInsights: number;
  falsePerDay: number;
  /** Detection delay of detected target anomalies (ms, from the anomaly's first minute). */
  delays: number[];
  /** Detected target anomalies whose Start named the injected caller first. */
  attributedToCaller: number;
  missed: LabelledAnomaly[];
  falses: ObservedInsight[];
}

const GRACE_MS = 2 * 60_000;

export function pairInsights(transitions: InsightTransition[]): ObservedInsight[] {
  const byShared = new Map<string, ObservedInsight>();
  for (const t of transitions) {
    const d = t.insightDetails as Record<string, unknown>;
    if (t.state === "Start") {
      const attrs = (
        d.insightContext as { attributions?: Array<{ attribute: string; insight: Array<{ value: string }> }> }
      ).attributions;
      byShared.set(t.sharedEventID, {
        eventSource: t.key.eventSource,
        eventName: t.key.eventName,
        insightType: t.key.insightType,
        errorCode: t.key.errorCode,
        startMs: t.eventTimeMs,
        endMs: Number.POSITIVE_INFINITY,
        decidedAtMs: t.decidedAtMs,
        topIdentity: attrs?.find((a) => a.attribute === "userIdentityArn")?.insight[0]?.value,
      });
    } else {
      const o = byShared.get(t.sharedEventID);
      if (o) o.endMs = t.eventTimeMs;
    }
  }
  return [...byShared.values()];
}

function matches(a: LabelledAnomaly, o: ObservedInsight): boolean {
  if (o.eventSource !== a.eventSource || o.eventName !== a.eventName || o.insightType !== a.insightType)
    return false;
  if (a.errorCode !== undefined && o.errorCode !== a.errorCode) return false;
  return o.startMs < a.endMs + GRACE_MS && o.endMs > a.startMs;
}

/** An Insight is explained by any anomaly on its API (a burst of failing calls moves both rates). */
function explained(o: ObservedInsight, anomalies: LabelledAnomaly[]): boolean {
  return anomalies.some(
    (a) =>
      a.eventSource === o.eventSource &&
      a.eventName === o.eventName &&
      o.startMs < a.endMs + 5 * 60_000 &&
      o.endMs > a.startMs - 5 * 60_000,
  );
}

export function scoreInsights(
  anomalies: LabelledAnomaly[],
  observed: ObservedInsight[],
  days: number,
): InsightScore {
  const inTarget = (a: LabelledAnomaly) => a.ratio >= 5 && a.minutes >= 3;
  const target = anomalies.filter(inTarget);
  const other = anomalies.filter((a) => !inTarget(a));
  const delays: number[] = [];
  const missed: LabelledAnomaly[] = [];
  let attributed = 0;
  for (const a of target) {
    const hit = observed.filter((o) => matches(a, o)).sort((x, y) => x.decidedAtMs - y.decidedAtMs)[0];
    if (!hit) {
      missed.push(a);
      continue;
    }
    delays.push(Math.max(0, hit.decidedAtMs - a.startMs));
    if (a.kind !== "call-burst" || a.identityArn.includes("/i-0bad"))
      attributed += hit.topIdentity === a.identityArn ? 1 : 0;
    else attributed += 1; // a burst by a regular caller: any top identity is acceptable
  }
  const otherHits = other.filter((a) => observed.some((o) => matches(a, o))).length;
  const falses = observed.filter((o) => !explained(o, anomalies));
  return {
    target: target.length,
    detected: delays.length,
    recall: target.length ? delays.length / target.length : 1,
    otherRecall: other.length ? otherHits / other.length : 1,
    otherCount: other.length,
    falseInsights: falses.length,
    falsePerDay: falses.length / days,
    delays,
    attributedToCaller: attributed,
    missed,
    falses,
  };
}
