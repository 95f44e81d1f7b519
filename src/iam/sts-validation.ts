/**
 * STS input constraints and the exact messages STS answers with, e.g.
 * "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint:
 * Member must have length greater than or equal to 2". Several violations are joined with "; "
 * ("2 validation errors detected: ..."), a pattern violation before a length violation.
 * Lengths count code points.
 */
import { AwsError } from "../protocol/errors.js";

export interface Violation {
  /** The offending value as the client sent it; null when the member is missing. */
  value: string | null;
  /** The member's camelCase name, e.g. `roleSessionName`. */
  member: string;
  constraint: string;
}

export interface StringRule {
  min: number;
  max: number;
  pattern: (value: string) => boolean;
  /** The pattern as AWS prints it. */
  patternText: string;
}

export function checkRequiredString(value: unknown, member: string, rule: StringRule): Violation[] {
  if (value === undefined || value === null)
    return [{ value: null, member, constraint: "Member must not be null" }];
  return checkString(String(value), member, rule);
}

export function checkString(value: string, member: string, rule: StringRule): Violation[] {
  const violations: Violation[] = [];
  if (!rule.pattern(value)) {
    violations.push({
      value,
      member,
      constraint: `Member must satisfy regular expression pattern: ${rule.patternText}`,
    });
  }
  const length = [...value].length;
  if (length < rule.min) {
    violations.push({
      value,
      member,
      constraint: `Member must have length greater than or equal to ${rule.min}`,
    });
  } else if (length > rule.max) {
    violations.push({
      value,
      member,
      constraint: `Member must have length less than or equal to ${rule.max}`,
    });
  }
  return violations;
}

export function checkRange(
  value: number,
  raw: string,
  member: string,
  min: number,
  max: number,
): Violation[] {
  if (value < min)
    return [{ value: raw, member, constraint: `Member must have value greater than or equal to ${min}` }];
  if (value > max)
    return [{ value: raw, member, constraint: `Member must have value less than or equal to ${max}` }];
  return [];
}

export function validationError(violations: Violation[]): AwsError {
  const n = violations.length;
  const details = violations
    .map(
      (v) =>
        `Value ${v.value === null ? "null" : `'${v.value}'`} at '${v.member}' failed to satisfy constraint: ${v.constraint}`,
    )
    .join("; ");
  return stsValidation(`${n} validation error${n === 1 ? "" : "s"} detected: ${details}`);
}

export function stsValidation(message: string): AwsError {
  return new AwsError("ValidationError", message, 400);
}

/** `[\w+=,.@-]*` in Java, where `\w` is ASCII only. */
export const SESSION_NAME_RULE: StringRule = {
  min: 2,
  max: 64,
  pattern: (v) => /^[\w+=,.@-]*$/.test(v),
  patternText: "[\\w+=,.@-]*",
};

/**
 * STS's ARN pattern. As Java reads it, `\u10000-\u10FFFF` is U+1000, then the range '0'–U+10FF,
 * then "FF": no supplementary character matches, which is what AWS answers.
 */
export const ROLE_ARN_RULE: StringRule = {
  min: 20,
  max: 2048,
  pattern: (v) =>
    v.length > 0 &&
    [...v].every((c) => {
      const cp = c.codePointAt(0) ?? 0;
      return (
        cp === 0x9 ||
        cp === 0xa ||
        cp === 0xd ||
        (cp >= 0x20 && cp <= 0xd7ff) ||
        (cp >= 0xe000 && cp <= 0xfffd)
      );
    }),
  patternText:
    "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+",
};

export const MIN_DURATION_SECONDS = 900;
export const MAX_DURATION_SECONDS = 43_200;
/** Role chaining (an assumed role assuming a role) caps sessions at one hour. */
export const CHAINED_MAX_DURATION_SECONDS = 3600;

/**
 * DurationSeconds as the query front door reads an integer: optional sign and leading zeros are
 * fine; anything else, or a value outside Java's int, is MalformedInput (with no message, except
 * for an empty value).
 */
export function parseDurationSeconds(raw: unknown): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === "number") {
    if (Number.isInteger(raw)) return raw;
    throw new AwsError("MalformedInput", "", 400);
  }
  const text = String(raw);
  if (text === "") throw new AwsError("MalformedInput", "missing value for decimal type", 400);
  const n = /^[+-]?\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n > 2 ** 31 - 1 || n < -(2 ** 31))
    throw new AwsError("MalformedInput", "", 400);
  return n;
}
