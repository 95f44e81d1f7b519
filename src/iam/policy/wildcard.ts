/**
 * IAM's glob: `*` matches any run of characters (also none), `?` exactly one; everything else
 * is literal. Compiled once into an anchored RegExp.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
 */
export type Matcher = (value: string) => boolean;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

export function globToRegExpSource(pattern: string): string {
  let out = "";
  for (const ch of pattern) {
    if (ch === "*") out += "[\\s\\S]*";
    else if (ch === "?") out += "[\\s\\S]";
    else out += escapeRegExp(ch);
  }
  return out;
}

export function compileGlob(pattern: string, ignoreCase = false): Matcher {
  if (pattern === "*") return () => true;
  if (!/[*?]/.test(pattern)) {
    if (!ignoreCase) return (value) => value === pattern;
    const lower = pattern.toLowerCase();
    return (value) => value.toLowerCase() === lower;
  }
  const re = new RegExp(`^${globToRegExpSource(pattern)}$`, ignoreCase ? "iu" : "u");
  return (value) => re.test(value);
}
