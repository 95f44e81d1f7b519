import type { Resolver, ValueMatcher } from "./types.js";
import { compileGlob, globToRegExpSource } from "./wildcard.js";

/**
 * Matching of one policy value (a Resource, or a condition value) against a request value,
 * with policy variables (`${aws:username}`, and the literals `${*}`, `${?}`, `${$}`) when the
 * policy's Version is 2012-10-17. A variable that cannot be resolved makes the value not match.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */
export type MatchKind = "string" | "stringIgnoreCase" | "stringLike" | "arn" | "binary" | "glob";

type Token = { literal: string } | { variable: string };

const VARIABLE = /\$\{([^}]+)\}/g;
const SPECIAL: Record<string, string> = { "*": "*", "?": "?", $: "$" };

function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const m of pattern.matchAll(VARIABLE)) {
    if (m.index > last) tokens.push({ literal: pattern.slice(last, m.index) });
    tokens.push({ variable: (m[1] ?? "").trim() });
    last = m.index + m[0].length;
  }
  if (last < pattern.length) tokens.push({ literal: pattern.slice(last) });
  return tokens;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

function resolveToken(token: Token, resolve: Resolver): string | undefined {
  if ("literal" in token) return token.literal;
  return SPECIAL[token.variable] ?? resolve(token.variable);
}

/** Builds the regex source (glob kinds) or exact text of a tokenised pattern, or undefined. */
function render(tokens: Token[], resolve: Resolver, glob: boolean): string | undefined {
  let out = "";
  for (const token of tokens) {
    const text = resolveToken(token, resolve);
    if (text === undefined) return undefined;
    out += glob ? ("literal" in token ? globToRegExpSource(text) : escapeRegExp(text)) : text;
  }
  return out;
}

function compileDynamic(tokens: Token[], kind: MatchKind): ValueMatcher {
  const glob = kind === "stringLike" || kind === "glob";
  return (value, resolve) => {
    const rendered = render(tokens, resolve, glob);
    if (rendered === undefined) return false;
    if (glob) return new RegExp(`^${rendered}$`, "u").test(value);
    if (kind === "stringIgnoreCase") return rendered.toLowerCase() === value.toLowerCase();
    return rendered === value;
  };
}

/** ARN matching: each of the six colon-separated parts is matched on its own, with wildcards. */
function compileArn(pattern: string, withVariables: boolean): ValueMatcher {
  if (pattern === "*") return () => true;
  const parts = splitArn(pattern);
  if (!parts) return () => false;
  const matchers = parts.map((p) => compileValueMatcher(p, "glob", withVariables ? "2012-10-17" : ""));
  return (value, resolve) => {
    const actual = splitArn(value);
    return actual !== undefined && matchers.every((m, i) => m(actual[i] ?? "", resolve));
  };
}

export function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(":");
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(":")];
}

export function compileValueMatcher(pattern: string, kind: MatchKind, version: string): ValueMatcher {
  const withVariables = version === "2012-10-17" && pattern.includes("${");
  if (kind === "arn") return compileArn(pattern, withVariables);
  if (withVariables) return compileDynamic(tokenize(pattern), kind);
  switch (kind) {
    case "stringLike":
    case "glob": {
      const m = compileGlob(pattern);
      return (value) => m(value);
    }
    case "stringIgnoreCase": {
      const lower = pattern.toLowerCase();
      return (value) => value.toLowerCase() === lower;
    }
    default:
      return (value) => value === pattern;
  }
}
