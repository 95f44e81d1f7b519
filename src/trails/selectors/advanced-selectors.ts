import type { AdvancedEventSelector, AdvancedFieldSelector } from "@aws-sdk/client-cloudtrail";
import type { CloudTrailEvent } from "../../events/cloudtrail-event.js";
import { type EventPredicate, scalarFieldValues } from "./event-fields.js";

/**
 * Advanced event selectors (reference §6.1, §6.3): AND across the field selectors of a selector,
 * OR across selectors. Within one field selector a positive operator (Equals, StartsWith,
 * EndsWith) holds when the value matches any listed value; a negative one (NotEquals,
 * NotStartsWith, NotEndsWith) when it matches none; several operators on one field are ANDed
 * (undocumented; our inference). `resources.type` and `resources.ARN` are evaluated on the same
 * resource of the event, so `NotStartsWith arn:aws:s3:::b/` excludes b's objects even though the
 * event also lists the bucket itself. Validation lives in advanced-selector-rules.ts.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html
 */
export const OPERATORS = [
  "Equals",
  "StartsWith",
  "EndsWith",
  "NotEquals",
  "NotStartsWith",
  "NotEndsWith",
] as const;
export type Operator = (typeof OPERATORS)[number];

type ValuesTest = (values: readonly string[]) => boolean;

export function compileAdvancedEventSelectors(selectors: AdvancedEventSelector[]): EventPredicate {
  const compiled = selectors.map(compileAdvancedEventSelector);
  return (event) => compiled.some((p) => p(event));
}

export function compileAdvancedEventSelector(selector: AdvancedEventSelector): EventPredicate {
  const scalar: Array<{ field: string; test: ValuesTest }> = [];
  let typeTest: ValuesTest | undefined;
  let arnTest: ValuesTest | undefined;
  for (const fs of selector.FieldSelectors ?? []) {
    const test = compileFieldSelector(fs);
    if (fs.Field === "resources.type") typeTest = test;
    else if (fs.Field === "resources.ARN") arnTest = test;
    else scalar.push({ field: fs.Field ?? "", test });
  }
  const resourceTest = typeTest || arnTest ? compileResourceTest(typeTest, arnTest) : undefined;
  return (event) => {
    for (const { field, test } of scalar) if (!test(scalarFieldValues(event, field))) return false;
    return resourceTest ? resourceTest(event) : true;
  };
}

function compileResourceTest(
  typeTest: ValuesTest | undefined,
  arnTest: ValuesTest | undefined,
): EventPredicate {
  return (event: CloudTrailEvent) =>
    (event.resources ?? []).some(
      (r) => (!typeTest || typeTest(r.type ? [r.type] : [])) && (!arnTest || arnTest(r.ARN ? [r.ARN] : [])),
    );
}

export function compileFieldSelector(fs: AdvancedFieldSelector): ValuesTest {
  const checks: ValuesTest[] = [];
  for (const op of OPERATORS) {
    const listed = fs[op];
    if (!listed) continue;
    const matches = valueMatcher(op, listed);
    if (op.startsWith("Not")) checks.push((values) => !values.some(matches));
    else checks.push((values) => values.some(matches));
  }
  return (values) => checks.every((check) => check(values));
}

function valueMatcher(op: Operator, listed: string[]): (value: string) => boolean {
  switch (op) {
    case "Equals":
    case "NotEquals": {
      const set = new Set(listed);
      return (v) => set.has(v);
    }
    case "StartsWith":
    case "NotStartsWith":
      return (v) => listed.some((x) => v.startsWith(x));
    case "EndsWith":
    case "NotEndsWith":
      return (v) => listed.some((x) => v.endsWith(x));
  }
}
