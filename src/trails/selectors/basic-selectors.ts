import type { DataResource, EventSelector } from "@aws-sdk/client-cloudtrail";
import type { CloudTrailEvent } from "../../events/cloudtrail-event.js";
import { TrailErrors } from "../trail-errors.js";
import { categoryOf, type EventPredicate } from "./event-fields.js";

/**
 * Basic event selectors (reference §6.2): ReadWriteType, IncludeManagementEvents,
 * ExcludeManagementEventSources and DataResources for S3 objects, Lambda functions and DynamoDB
 * tables. https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_EventSelector.html
 */
export const MAX_EVENT_SELECTORS = 5;
export const MAX_DATA_RESOURCE_VALUES = 250;
const READ_WRITE_TYPES = new Set(["ReadOnly", "WriteOnly", "All"]);
const EXCLUDABLE_SOURCES = new Set(["kms.amazonaws.com", "rdsdata.amazonaws.com"]);

interface ResourceRule {
  /** The value meaning "every resource of the type", e.g. `arn:aws:s3`. */
  all: RegExp;
  valid: RegExp;
  /** S3 object values are key prefixes; function and table ARNs match exactly. */
  prefix: boolean;
}

const RESOURCE_RULES: Record<string, ResourceRule> = {
  "AWS::S3::Object": {
    all: /^arn:aws[a-z-]*:s3(:::)?$/,
    valid: /^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.*$/,
    prefix: true,
  },
  "AWS::Lambda::Function": {
    all: /^arn:aws[a-z-]*:lambda$/,
    valid:
      /^arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]+)?$/,
    prefix: false,
  },
  "AWS::DynamoDB::Table": {
    all: /^arn:aws[a-z-]*:dynamodb$/,
    valid: /^arn:aws[a-z-]*:dynamodb:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:table\/[A-Za-z0-9_.-]{3,255}$/,
    prefix: false,
  },
};

const invalid = (value: unknown, field: string) =>
  TrailErrors.invalidEventSelectors(`Value ${String(value)} for ${field} is invalid.`);

export function validateEventSelectors(selectors: EventSelector[]): void {
  if (selectors.length > MAX_EVENT_SELECTORS)
    throw TrailErrors.invalidEventSelectors(
      `Specify a valid number of EventSelectors (0 to ${MAX_EVENT_SELECTORS}).`,
    );
  let values = 0;
  for (const s of selectors) {
    if (s.ReadWriteType !== undefined && !READ_WRITE_TYPES.has(s.ReadWriteType))
      throw invalid(s.ReadWriteType, "ReadWriteType");
    for (const source of s.ExcludeManagementEventSources ?? []) {
      if (!EXCLUDABLE_SOURCES.has(source)) throw invalid(source, "ExcludeManagementEventSources");
    }
    for (const r of s.DataResources ?? []) values += validateDataResource(r);
    if (s.IncludeManagementEvents === false && (s.DataResources ?? []).length === 0) {
      throw TrailErrors.invalidEventSelectors(
        "Invalid combination of parameters in EventSelectors. When includeManagementEvents is false, DataResources must not be empty.",
      );
    }
  }
  if (values > MAX_DATA_RESOURCE_VALUES)
    throw TrailErrors.invalidEventSelectors(
      `Specify a valid number of DataResources.Values (0 to ${MAX_DATA_RESOURCE_VALUES}) for all your selectors`,
    );
}

function validateDataResource(r: DataResource): number {
  const rule = r.Type ? RESOURCE_RULES[r.Type] : undefined;
  if (!rule) throw invalid(r.Type, "DataResources.Type");
  const values = r.Values ?? [];
  if (values.length === 0) throw invalid("[]", "DataResources.Values");
  for (const v of values)
    if (!rule.all.test(v) && !rule.valid.test(v)) throw invalid(v, "DataResources.Values");
  return values.length;
}

export function compileEventSelectors(selectors: EventSelector[]): EventPredicate {
  const compiled = selectors.map(compileEventSelector);
  return (event) => compiled.some((p) => p(event));
}

function compileEventSelector(s: EventSelector): EventPredicate {
  const readWrite = s.ReadWriteType ?? "All";
  const management = s.IncludeManagementEvents ?? true;
  const excluded = new Set(s.ExcludeManagementEventSources ?? []);
  const resources = (s.DataResources ?? []).map(compileDataResource);
  return (event) => {
    if (!readWriteMatches(readWrite, event)) return false;
    const category = categoryOf(event);
    if (category === "Management") return management && !excluded.has(event.eventSource ?? "");
    if (category === "Data") return resources.some((matches) => matches(event));
    return false;
  };
}

function readWriteMatches(readWrite: string, event: CloudTrailEvent): boolean {
  if (readWrite === "ReadOnly") return event.readOnly === true;
  if (readWrite === "WriteOnly") return event.readOnly !== true;
  return true;
}

function compileDataResource(r: DataResource): EventPredicate {
  const type = r.Type ?? "";
  const rule = RESOURCE_RULES[type];
  const values = r.Values ?? [];
  if (!rule) return () => false;
  const all = values.some((v) => rule.all.test(v));
  const exact = new Set(values);
  const matchesArn = (arn: string) =>
    all || (rule.prefix ? values.some((v) => arn.startsWith(v)) : exact.has(arn));
  return (event) =>
    (event.resources ?? []).some((res) => res.type === type && !!res.ARN && matchesArn(res.ARN));
}
