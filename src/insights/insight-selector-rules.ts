import type { AdvancedEventSelector, EventSelector, InsightSelector } from "@aws-sdk/client-cloudtrail";
import { InsightErrors } from "./insight-errors.js";
import { INSIGHT_TYPES } from "./series-key.js";

const CATEGORIES = new Set(["Management", "Data"]);

/**
 * InsightSelectors as PutInsightSelectors takes them: each names a known InsightType once;
 * EventCategories, when given, are non-empty, distinct, Management and/or Data, and only
 * Management on an event data store ("Insights on data events are not supported on event data
 * stores"). https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_InsightSelector.html
 */
export function validateInsightSelectors(
  selectors: InsightSelector[],
  target: "trail" | "eventDataStore",
): void {
  const seen = new Set<string>();
  for (const s of selectors) {
    const type = s.InsightType;
    if (type === undefined || !(INSIGHT_TYPES as readonly string[]).includes(type))
      throw InsightErrors.invalidSelectors(
        `Value ${type ?? "null"} for InsightType is invalid; valid values are ApiCallRateInsight and ApiErrorRateInsight.`,
      );
    if (seen.has(type))
      throw InsightErrors.invalidSelectors(`InsightType ${type} is specified more than once.`);
    seen.add(type);
    const categories = s.EventCategories;
    if (categories === undefined) continue;
    if (categories.length === 0)
      throw InsightErrors.invalidSelectors(`EventCategories of ${type} must not be empty when specified.`);
    if (new Set(categories).size !== categories.length)
      throw InsightErrors.invalidSelectors(`EventCategories of ${type} lists a category more than once.`);
    for (const c of categories) {
      if (!CATEGORIES.has(c))
        throw InsightErrors.invalidSelectors(
          `Value ${c} for EventCategories is invalid; valid values are Management and Data.`,
        );
      if (c === "Data" && target === "eventDataStore")
        throw InsightErrors.invalidSelectors(
          "Insights on data events are not supported on event data stores.",
        );
    }
  }
}

export interface LoggedEvents {
  readManagement: boolean;
  writeManagement: boolean;
  data: boolean;
}

/** Which events a trail's (or store's) selectors log, for Insights' prerequisites. */
export function loggedEvents(spec: {
  eventSelectors?: EventSelector[];
  advancedEventSelectors?: AdvancedEventSelector[];
}): LoggedEvents {
  const out: LoggedEvents = { readManagement: false, writeManagement: false, data: false };
  if (spec.advancedEventSelectors) {
    for (const s of spec.advancedEventSelectors) {
      const fields = s.FieldSelectors ?? [];
      const category = fields.find((f) => f.Field === "eventCategory");
      const readOnly = fields.find((f) => f.Field === "readOnly");
      const onlyRead = readOnly?.Equals?.every((v) => v === "true") || readOnly?.NotEquals?.includes("false");
      const onlyWrite =
        readOnly?.Equals?.every((v) => v === "false") || readOnly?.NotEquals?.includes("true");
      if (category?.Equals?.includes("Management")) {
        out.readManagement ||= !onlyWrite;
        out.writeManagement ||= !onlyRead;
      }
      if (category?.Equals?.includes("Data")) out.data = true;
    }
    return out;
  }
  for (const s of spec.eventSelectors ?? []) {
    const rw = s.ReadWriteType ?? "All";
    if (s.IncludeManagementEvents !== false) {
      out.readManagement ||= rw !== "WriteOnly";
      out.writeManagement ||= rw !== "ReadOnly";
    }
    if ((s.DataResources ?? []).length > 0) out.data = true;
  }
  return out;
}

/**
 * "To log CloudTrail Insights on the API call rate, the trail or event data store must log
 * write management events. To log CloudTrail Insights on the API error rate, the trail or
 * event data store must log read or write management events." Data-event Insights need data
 * events logged. https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutInsightSelectors.html
 */
export function assertPrerequisites(selectors: InsightSelector[], logged: LoggedEvents, what: string): void {
  for (const s of selectors) {
    for (const category of s.EventCategories ?? ["Management"]) {
      if (category === "Data" && !logged.data)
        throw InsightErrors.invalidSelectors(
          `${what} must log data events to log Insights events on data events.`,
        );
      if (category !== "Management") continue;
      if (s.InsightType === "ApiCallRateInsight" && !logged.writeManagement)
        throw InsightErrors.invalidSelectors(
          `${what} must log write management events to log ApiCallRateInsight Insights events.`,
        );
      if (s.InsightType === "ApiErrorRateInsight" && !logged.readManagement && !logged.writeManagement)
        throw InsightErrors.invalidSelectors(
          `${what} must log read or write management events to log ApiErrorRateInsight Insights events.`,
        );
    }
  }
}
