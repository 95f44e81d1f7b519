import { BlockList, isIP } from "node:net";
import { PolicyError } from "./policy-error.js";
import type { CompiledCondition, RequestContextValues, Resolver, ValueMatcher } from "./types.js";
import { compileValueMatcher } from "./values.js";

/**
 * Condition operators and their set/IfExists qualifiers.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
type Kind =
  | "string"
  | "stringIgnoreCase"
  | "stringLike"
  | "numeric"
  | "date"
  | "bool"
  | "ip"
  | "arn"
  | "binary";
type Compare = "eq" | "lt" | "lte" | "gt" | "gte";
interface OperatorSpec {
  kind: Kind;
  negated: boolean;
  compare: Compare;
}

const spec = (kind: Kind, negated = false, compare: Compare = "eq"): OperatorSpec => ({
  kind,
  negated,
  compare,
});

const OPERATORS: Record<string, OperatorSpec> = {
  StringEquals: spec("string"),
  StringNotEquals: spec("string", true),
  StringEqualsIgnoreCase: spec("stringIgnoreCase"),
  StringNotEqualsIgnoreCase: spec("stringIgnoreCase", true),
  StringLike: spec("stringLike"),
  StringNotLike: spec("stringLike", true),
  NumericEquals: spec("numeric"),
  NumericNotEquals: spec("numeric", true),
  NumericLessThan: spec("numeric", false, "lt"),
  NumericLessThanEquals: spec("numeric", false, "lte"),
  NumericGreaterThan: spec("numeric", false, "gt"),
  NumericGreaterThanEquals: spec("numeric", false, "gte"),
  DateEquals: spec("date"),
  DateNotEquals: spec("date", true),
  DateLessThan: spec("date", false, "lt"),
  DateLessThanEquals: spec("date", false, "lte"),
  DateGreaterThan: spec("date", false, "gt"),
  DateGreaterThanEquals: spec("date", false, "gte"),
  Bool: spec("bool"),
  BinaryEquals: spec("binary"),
  IpAddress: spec("ip"),
  NotIpAddress: spec("ip", true),
  ArnEquals: spec("arn"),
  ArnNotEquals: spec("arn", true),
  ArnLike: spec("arn"),
  ArnNotLike: spec("arn", true),
};

type SetQualifier = "ForAnyValue" | "ForAllValues" | undefined;

interface ParsedOperator {
  qualifier: SetQualifier;
  base: string;
  ifExists: boolean;
}

function parseOperator(operator: string): ParsedOperator {
  let rest = operator;
  let qualifier: SetQualifier;
  for (const q of ["ForAnyValue", "ForAllValues"] as const) {
    if (rest.startsWith(`${q}:`)) {
      qualifier = q;
      rest = rest.slice(q.length + 1);
    }
  }
  const ifExists = rest.endsWith("IfExists") && rest !== "IfExists";
  const base = ifExists ? rest.slice(0, -"IfExists".length) : rest;
  if (!(base in OPERATORS) && base !== "Null") throw new PolicyError(`Invalid Condition type : ${operator}`);
  if (base === "Null" && ifExists) throw new PolicyError(`Invalid Condition type : ${operator}`);
  return { qualifier, base, ifExists };
}

const CONDITION_KEY = /^[A-Za-z0-9-]+:[A-Za-z0-9_.:/\-$@=+,]+$/;

function toStrings(raw: unknown, operator: string): string[] {
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) throw new PolicyError(`Invalid Condition value for operator ${operator}`);
  return list.map((v) => {
    if (typeof v === "string") return v;
    if (typeof v === "number" || typeof v === "boolean") return String(v);
    throw new PolicyError(`Invalid Condition value for operator ${operator}`);
  });
}

export function parseDate(text: string): number {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  return Date.parse(text);
}

function compareNumbers(a: number, b: number, compare: Compare): boolean {
  switch (compare) {
    case "eq":
      return a === b;
    case "lt":
      return a < b;
    case "lte":
      return a <= b;
    case "gt":
      return a > b;
    case "gte":
      return a >= b;
  }
}

function compileNumeric(values: string[], op: OperatorSpec, operator: string, parse: (s: string) => number) {
  const numbers = values.map((v) => {
    const n = parse(v);
    if (Number.isNaN(n)) throw new PolicyError(`Invalid Condition value for operator ${operator}: ${v}`);
    return n;
  });
  return (value: string) => {
    const n = parse(value);
    return !Number.isNaN(n) && numbers.some((p) => compareNumbers(n, p, op.compare));
  };
}

function compileIp(values: string[], operator: string) {
  const blocks = new BlockList();
  for (const v of values) {
    const [addr = "", bits] = v.split("/");
    const family = isIP(addr);
    if (family === 0) throw new PolicyError(`Invalid Condition value for operator ${operator}: ${v}`);
    const type = family === 4 ? "ipv4" : "ipv6";
    const prefix = bits === undefined ? (family === 4 ? 32 : 128) : Number(bits);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
      throw new PolicyError(`Invalid Condition value for operator ${operator}: ${v}`);
    }
    blocks.addSubnet(addr, prefix, type);
  }
  return (value: string) => {
    const family = isIP(value);
    return family !== 0 && blocks.check(value, family === 4 ? "ipv4" : "ipv6");
  };
}

/** Positive test of one request value against the policy values (negation is applied by the caller). */
function compileTest(values: string[], op: OperatorSpec, operator: string, version: string) {
  switch (op.kind) {
    case "numeric":
      return compileNumeric(values, op, operator, (s) =>
        /^-?\d+(\.\d+)?$/.test(s.trim()) ? Number(s) : Number.NaN,
      );
    case "date":
      return compileNumeric(values, op, operator, parseDate);
    case "bool": {
      const wanted = values.map((v) => v.toLowerCase());
      if (wanted.some((v) => v !== "true" && v !== "false")) {
        throw new PolicyError(`Invalid Condition value for operator ${operator}`);
      }
      return (value: string) => wanted.includes(value.toLowerCase());
    }
    case "ip":
      return compileIp(values, operator);
    default: {
      const kind = op.kind;
      const matchers: ValueMatcher[] = values.map((v) => compileValueMatcher(v, kind, version));
      return (value: string, resolve: Resolver) => matchers.some((m) => m(value, resolve));
    }
  }
}

function lookup(context: RequestContextValues, key: string): string[] | undefined {
  const value = context[key];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value : [value];
}

function compileOne(operator: string, key: string, raw: unknown, version: string): CompiledCondition {
  const { qualifier, base, ifExists } = parseOperator(operator);
  if (!CONDITION_KEY.test(key)) throw new PolicyError("Policy has an invalid condition key");
  const values = toStrings(raw, operator);
  const lowerKey = key.toLowerCase();
  if (base === "Null") {
    const wanted = values.map((v) => v.toLowerCase());
    if (wanted.some((v) => v !== "true" && v !== "false")) {
      throw new PolicyError(`Invalid Condition value for operator ${operator}`);
    }
    return {
      operator,
      key,
      test: (context) => {
        const present = (lookup(context, lowerKey)?.length ?? 0) > 0;
        return wanted.includes(present ? "false" : "true");
      },
    };
  }
  const op = OPERATORS[base] as OperatorSpec;
  const positive = compileTest(values, op, operator, version);
  const one = (value: string, resolve: Resolver) => positive(value, resolve) !== op.negated;
  return {
    operator,
    key,
    test: (context, resolve) => {
      const requestValues = lookup(context, lowerKey);
      if (requestValues === undefined || requestValues.length === 0) {
        if (ifExists) return true;
        if (qualifier === "ForAllValues") return true;
        if (qualifier === "ForAnyValue") return false;
        return op.negated;
      }
      if (qualifier === "ForAllValues") return requestValues.every((v) => one(v, resolve));
      if (qualifier === "ForAnyValue") return requestValues.some((v) => one(v, resolve));
      // A single-valued key: a negated operator holds when no policy value matches.
      return op.negated
        ? !requestValues.some((v) => positive(v, resolve))
        : requestValues.some((v) => positive(v, resolve));
    },
  };
}

/** Compiles a statement's `Condition` block; every operator and every key in it must hold (AND). */
export function compileConditions(block: unknown, version: string): CompiledCondition[] {
  if (block === undefined) return [];
  if (!block || typeof block !== "object" || Array.isArray(block)) {
    throw new PolicyError("Policy has an invalid condition block");
  }
  const out: CompiledCondition[] = [];
  for (const [operator, keys] of Object.entries(block as Record<string, unknown>)) {
    if (!keys || typeof keys !== "object" || Array.isArray(keys)) {
      throw new PolicyError(`Invalid Condition block for operator ${operator}`);
    }
    for (const [key, raw] of Object.entries(keys as Record<string, unknown>)) {
      out.push(compileOne(operator, key, raw, version));
    }
  }
  return out;
}
