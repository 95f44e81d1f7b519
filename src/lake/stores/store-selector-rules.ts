import type { AdvancedEventSelector, AdvancedFieldSelector } from "@aws-sdk/client-cloudtrail";
import { LakeErrors } from "../lake-errors.js";

/**
 * What CloudTrail accepts in an event data store's advanced event selectors (reference §1.4,
 * §6.3): at most five selectors and 500 values; eventCategory required with Equals; the wider
 * field set stores allow for management events (eventName, eventType, userIdentity.arn, ...);
 * categories that are a store's whole purpose (ActivityAuditLog for channels,
 * ConfigurationItem, Insight, Evidence) take eventCategory only and are not mixed with others.
 * Matching reuses the trails' compiled selectors (src/trails/selectors).
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html
 */
export const MAX_STORE_SELECTORS = 5;
const MAX_VALUES = 500;
const OPERATORS = ["Equals", "StartsWith", "EndsWith", "NotEquals", "NotStartsWith", "NotEndsWith"] as const;
const EQUALS_ONLY = new Set(["eventCategory", "readOnly", "resources.type"]);
const RICH = [
  "eventCategory",
  "readOnly",
  "eventSource",
  "eventName",
  "eventType",
  "userIdentity.arn",
  "sessionCredentialFromConsole",
];
const FIELDS: Record<string, Set<string>> = {
  Management: new Set(RICH),
  Data: new Set([...RICH, "resources.type", "resources.ARN"]),
  NetworkActivity: new Set([
    "eventCategory",
    "eventSource",
    "eventName",
    "errorCode",
    "vpcEndpointId",
    "userIdentity.arn",
  ]),
  ActivityAuditLog: new Set(["eventCategory"]),
  ConfigurationItem: new Set(["eventCategory"]),
  Insight: new Set(["eventCategory"]),
  Evidence: new Set(["eventCategory"]),
};
const EXCLUSIVE = new Set(["ActivityAuditLog", "ConfigurationItem", "Insight", "Evidence"]);

const invalid = (message: string) => LakeErrors.invalidEventSelectors(message);

/** Validates and returns the store's categories (each selector's eventCategory). */
export function validateStoreSelectors(selectors: AdvancedEventSelector[]): Set<string> {
  if (selectors.length === 0 || selectors.length > MAX_STORE_SELECTORS)
    throw invalid(`An event data store can have 1 to ${MAX_STORE_SELECTORS} advanced event selectors.`);
  const categories = new Set<string>();
  let values = 0;
  for (const selector of selectors) {
    const fields = selector.FieldSelectors ?? [];
    if ((selector.Name ?? "").length > 1000)
      throw invalid("A selector name must be at most 1000 characters.");
    if (fields.length === 0) throw invalid("An advanced event selector needs at least one field selector.");
    const category = fields.find((f) => f.Field === "eventCategory");
    const value = category?.Equals?.[0] ?? "";
    if (category?.Equals?.length !== 1 || !FIELDS[value])
      throw invalid(`eventCategory is required with Equals and one of ${Object.keys(FIELDS).join(", ")}.`);
    categories.add(value);
    const seen = new Set<string>();
    for (const fs of fields) {
      if (seen.has(fs.Field ?? "")) throw invalid(`Field ${fs.Field} is used more than once in a selector.`);
      seen.add(fs.Field ?? "");
      if (!FIELDS[value]?.has(fs.Field ?? ""))
        throw invalid(`Field ${fs.Field} is not supported for ${value} events in an event data store.`);
      values += checkOperators(fs);
    }
    if (value === "Data" && !fields.some((f) => f.Field === "resources.type" && f.Equals?.length === 1))
      throw invalid("Data events need resources.type with Equals and one value.");
  }
  if (values > MAX_VALUES)
    throw invalid(
      `Advanced event selectors can have at most ${MAX_VALUES} values in all conditions; found ${values}.`,
    );
  const exclusive = [...categories].filter((c) => EXCLUSIVE.has(c));
  if (exclusive.length > 0 && categories.size > 1)
    throw invalid(
      `${exclusive[0]} events cannot be combined with other event categories in one event data store.`,
    );
  return categories;
}

function checkOperators(fs: AdvancedFieldSelector): number {
  let count = 0;
  for (const op of OPERATORS) {
    const list = fs[op];
    if (list === undefined) continue;
    if (EQUALS_ONLY.has(fs.Field ?? "") && op !== "Equals")
      throw invalid(`Field ${fs.Field} supports only Equals.`);
    if (list.length === 0) throw invalid(`Operator ${op} of field ${fs.Field} needs at least one value.`);
    for (const v of list) {
      if (v.length < 1 || v.length > 2048)
        throw invalid(`Values of ${fs.Field} must be 1 to 2048 characters.`);
      if (fs.Field === "readOnly" && v !== "true" && v !== "false")
        throw invalid(`Value ${v} for readOnly is invalid; use true or false.`);
    }
    count += list.length;
  }
  if (count === 0) throw invalid(`Field ${fs.Field} needs at least one operator.`);
  return count;
}
