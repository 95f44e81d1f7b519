import type { SeriesKey } from "./series-key.js";

/** The series of one API in one scope: its call rate and its error rates by errorCode. */
interface ApiEntry<S> {
  call?: S;
  errors?: Map<string, S>;
}

/** One account in one Region: when the analyzer first saw it, and its APIs' series. */
export interface Scope<S> {
  since: number;
  /** eventSource → eventName → (insightSource or "") → series. */
  apis: Map<string, Map<string, Map<string, ApiEntry<S>>>>;
}

/**
 * Finds a series from an event's fields with a few lookups of short strings, instead of
 * building and hashing one long key per event (the analyzer's hottest path).
 */
export class SeriesIndex<S> {
  private readonly scopes = new Map<string, Map<string, Scope<S>>>();

  scope(account: string, region: string): Scope<S> | undefined {
    return this.scopes.get(account)?.get(region);
  }

  /** The scope, created (first seen at `minute`) when new. */
  ensureScope(account: string, region: string, minute: number): Scope<S> {
    let regions = this.scopes.get(account);
    if (!regions) {
      regions = new Map();
      this.scopes.set(account, regions);
    }
    let scope = regions.get(region);
    if (!scope) {
      scope = { since: minute, apis: new Map() };
      regions.set(region, scope);
    }
    return scope;
  }

  get(
    scope: Scope<S>,
    key: Pick<SeriesKey, "insightType" | "eventSource" | "eventName" | "errorCode" | "insightSource">,
  ): S | undefined {
    const e = scope.apis
      .get(key.eventSource)
      ?.get(key.eventName)
      ?.get(key.insightSource ?? "");
    if (!e) return undefined;
    return key.insightType === "ApiCallRateInsight" ? e.call : e.errors?.get(key.errorCode ?? "");
  }

  set(scope: Scope<S>, key: SeriesKey, series: S): void {
    let names = scope.apis.get(key.eventSource);
    if (!names) {
      names = new Map();
      scope.apis.set(key.eventSource, names);
    }
    let sources = names.get(key.eventName);
    if (!sources) {
      sources = new Map();
      names.set(key.eventName, sources);
    }
    let entry = sources.get(key.insightSource ?? "");
    if (!entry) {
      entry = {};
      sources.set(key.insightSource ?? "", entry);
    }
    if (key.insightType === "ApiCallRateInsight") entry.call = series;
    else {
      entry.errors ??= new Map();
      entry.errors.set(key.errorCode ?? "", series);
    }
  }

  /** Every scope: account, Region, first minute seen (persistence). */
  *allScopes(): Generator<[string, string, number]> {
    for (const [account, regions] of this.scopes)
      for (const [region, scope] of regions) yield [account, region, scope.since];
  }
}
