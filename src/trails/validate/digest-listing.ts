import { digestFileTime } from "../delivery/log-file-key.js";

/**
 * Which digest keys validate-logs considers, exactly as aws-cli's DigestProvider: list from a
 * marker (the key the trail would have had one minute before the start), keep keys of this
 * trail's chain whose timestamp (`key[-24:-8]`) is in [start, end + 1 h], stop at the first
 * later one. Backfill digests (`_backfill.json.gz`) are not produced by OpenTrail and skipped.
 */
export interface ChainId {
  accountId: string;
  trailName: string;
  homeRegion: string;
  sourceRegion: string;
}

const reEscape = (s: string) => s.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
const pad = (n: number) => String(n).padStart(2, "0");

export function digestListPrefix(id: ChainId, prefix: string | undefined): string {
  const p = `AWSLogs/${id.accountId}/CloudTrail-Digest/${id.sourceRegion}`;
  return prefix ? `${prefix}/${p}` : p;
}

export function digestMarker(id: ChainId, prefix: string | undefined, start: Date): string {
  const d = new Date(start.getTime() - 60_000);
  const ymd = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
  const key =
    `AWSLogs/${id.accountId}/CloudTrail-Digest/${id.sourceRegion}/${ymd}/${id.accountId}_CloudTrail-Digest_` +
    `${id.sourceRegion}_${id.trailName}_${id.homeRegion}_${digestFileTime(d)}.json.gz`;
  return prefix ? `${prefix}/${key}` : key;
}

export function digestKeyPattern(id: ChainId, prefix: string | undefined): RegExp {
  const a = reEscape(id.accountId);
  const s = reEscape(id.sourceRegion);
  const body =
    `AWSLogs/${a}/CloudTrail\\-Digest/${s}/\\d+/\\d+/\\d+/${a}_CloudTrail\\-Digest_` +
    `${s}_${reEscape(id.trailName)}_${reEscape(id.homeRegion)}_.+(?:_backfill)?\\.json\\.gz`;
  return new RegExp(`^${prefix ? `${reEscape(prefix)}/` : ""}${body}$`);
}

/** `YYYYMMDDTHHMMSSZ` from a (non-backfill) digest key. */
export function digestKeyDate(key: string): string {
  return key.slice(-24, -8);
}

/** Parses `YYYYMMDDTHHMMSSZ`; undefined when it is not one. */
export function parseKeyDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se] = m.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, se));
}

export async function listDigestKeys(
  keys: AsyncIterable<string>,
  pattern: RegExp,
  start: Date,
  end: Date,
): Promise<string[]> {
  const from = digestFileTime(start);
  const to = digestFileTime(new Date(end.getTime() + 3600_000));
  const out: string[] = [];
  for await (const key of keys) {
    if (!pattern.test(key)) continue;
    if (key.endsWith("_backfill.json.gz")) continue;
    const date = digestKeyDate(key);
    if (date > to) break;
    if (date < from) continue;
    out.push(key);
  }
  return out;
}
