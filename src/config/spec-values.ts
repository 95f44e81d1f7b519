/**
 * Pieces shared by the repeatable `NAME=URL` options (`--upstream`, `--sns-endpoint`): their
 * flag-or-environment entry list and the URL check.
 */

/** Flag entries when any were given, else the environment variable's `;`-separated entries. */
export function specEntries(flags: readonly string[] | undefined, env: string | undefined): string[] {
  return flags?.length ? [...flags] : (env ?? "").split(";").filter((s) => s.trim() !== "");
}

/** The parsed URL when it is http or https; otherwise why it is not acceptable. */
export function httpUrl(url: string): URL | string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `'${url}' is not a URL`;
  }
  return parsed.protocol === "http:" || parsed.protocol === "https:"
    ? parsed
    : "the URL must be http or https";
}
