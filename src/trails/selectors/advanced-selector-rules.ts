import type { AdvancedEventSelector, AdvancedFieldSelector } from "@aws-sdk/client-cloudtrail";
import { TrailErrors } from "../trail-errors.js";
import { OPERATORS } from "./advanced-selectors.js";

/**
 * What CloudTrail accepts in a trail's advanced event selectors (reference §1.4, §6.3): the
 * fields allowed per eventCategory, Equals-only fields, at most 500 values per trail, values of
 * 1–2048 characters, full ARNs for resources.ARN with Equals/NotEquals.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html
 */
export const MAX_ADVANCED_SELECTOR_VALUES = 500;
const FIELD_PATTERN = /^[\w|\d|.|_]+$/;
const TRAIL_CATEGORIES = new Set(["Management", "Data", "NetworkActivity"]);
const EQUALS_ONLY = new Set(["eventCategory", "readOnly", "resources.type"]);
const EXCLUDABLE_SOURCES = new Set(["kms.amazonaws.com", "rdsdata.amazonaws.com"]);
const ALLOWED_FIELDS: Record<string, Set<string>> = {
  Management: new Set(["eventCategory", "readOnly", "eventSource"]),
  Data: new Set([
    "eventCategory",
    "readOnly",
    "eventSource",
    "eventName",
    "eventType",
    "resources.type",
    "resources.ARN",
    "userIdentity.arn",
    "sessionCredentialFromConsole",
  ]),
  NetworkActivity: new Set([
    "eventCategory",
    "eventSource",
    "eventName",
    "errorCode",
    "vpcEndpointId",
    "userIdentity.arn",
  ]),
};
const RESOURCE_TYPE = /^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/;
const ARN = /^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+$/;

const invalid = (selector: AdvancedEventSelector, message: string) =>
  TrailErrors.invalidEventSelectors(selector.Name ? `${message} (selector "${selector.Name}")` : message);

export function validateAdvancedEventSelectors(selectors: AdvancedEventSelector[]): void {
  let values = 0;
  for (const selector of selectors) values += validateSelector(selector);
  if (values > MAX_ADVANCED_SELECTOR_VALUES)
    throw TrailErrors.invalidEventSelectors(
      `The advanced event selectors of a trail can have at most ${MAX_ADVANCED_SELECTOR_VALUES} values in all conditions; found ${values}.`,
    );
}

function validateSelector(selector: AdvancedEventSelector): number {
  if ((selector.Name ?? "").length > 1000) throw invalid(selector, "Name must be at most 1000 characters.");
  const fields = selector.FieldSelectors ?? [];
  if (fields.length === 0)
    throw invalid(selector, "An advanced event selector must have at least one field selector.");
  const byField = new Map<string, AdvancedFieldSelector>();
  let values = 0;
  for (const fs of fields) {
    values += validateFieldSelector(selector, fs);
    if (byField.has(fs.Field as string)) throw invalid(selector, `Field ${fs.Field} is used more than once.`);
    byField.set(fs.Field as string, fs);
  }
  const category = byField.get("eventCategory");
  const categoryValue = category?.Equals?.[0];
  if (category?.Equals?.length !== 1 || !TRAIL_CATEGORIES.has(categoryValue ?? ""))
    throw invalid(
      selector,
      "eventCategory is required and must use Equals with one of Management, Data, NetworkActivity.",
    );
  const allowed = ALLOWED_FIELDS[categoryValue as string] as Set<string>;
  for (const field of byField.keys()) {
    if (!allowed.has(field))
      throw invalid(selector, `Field ${field} is not supported for ${categoryValue} events on a trail.`);
  }
  checkCategoryRules(selector, categoryValue as string, byField);
  return values;
}

function checkCategoryRules(
  selector: AdvancedEventSelector,
  category: string,
  byField: Map<string, AdvancedFieldSelector>,
): void {
  const source = byField.get("eventSource");
  if (category === "Management" && source) {
    const ok = Object.keys(operatorsOf(source)).every((op) => op === "NotEquals");
    if (!ok || !(source.NotEquals ?? []).every((v) => EXCLUDABLE_SOURCES.has(v)))
      throw invalid(
        selector,
        "For management events, eventSource supports only NotEquals kms.amazonaws.com or rdsdata.amazonaws.com.",
      );
  }
  if (category === "Data") {
    const type = byField.get("resources.type");
    if (type?.Equals?.length !== 1)
      throw invalid(selector, "Data events need resources.type with Equals and one value.");
  }
  if (category === "NetworkActivity" && !source?.Equals)
    throw invalid(selector, "Network activity events need eventSource with Equals.");
}

function validateFieldSelector(selector: AdvancedEventSelector, fs: AdvancedFieldSelector): number {
  const field = fs.Field ?? "";
  if (field.length < 1 || field.length > 1000 || !FIELD_PATTERN.test(field))
    throw invalid(selector, `Field ${field} is not valid.`);
  const ops = operatorsOf(fs);
  const names = Object.keys(ops);
  if (names.length === 0) throw invalid(selector, `Field ${field} needs at least one operator.`);
  let count = 0;
  for (const [op, list] of Object.entries(ops)) {
    if (EQUALS_ONLY.has(field) && op !== "Equals")
      throw invalid(selector, `Field ${field} supports only Equals.`);
    if (list.length === 0)
      throw invalid(selector, `Operator ${op} of field ${field} needs at least one value.`);
    for (const v of list) {
      if (v.length < 1 || v.length > 2048)
        throw invalid(selector, `Values of ${field} must be 1 to 2048 characters.`);
      checkValue(selector, field, op, v);
    }
    count += list.length;
  }
  return count;
}

function checkValue(selector: AdvancedEventSelector, field: string, op: string, v: string): void {
  if (field === "readOnly" && v !== "true" && v !== "false")
    throw invalid(selector, `Value ${v} for readOnly is invalid; use true or false.`);
  if (field === "resources.type" && !RESOURCE_TYPE.test(v))
    throw invalid(selector, `Value ${v} for resources.type is invalid.`);
  if (field === "resources.ARN" && (op === "Equals" || op === "NotEquals") && !ARN.test(v))
    throw invalid(selector, `Value ${v} for resources.ARN is invalid: Equals and NotEquals need a full ARN.`);
}

function operatorsOf(fs: AdvancedFieldSelector): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const op of OPERATORS) {
    const list = fs[op];
    if (list !== undefined) out[op] = list;
  }
  return out;
}
