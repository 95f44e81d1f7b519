/**
 * S3's listing walk, independent of storage: keys in UTF-8 binary order, filtered by prefix,
 * rolled up into CommonPrefixes at the first delimiter after the prefix, cut at max-keys.
 * A marker (v1 `marker`, v2 continuation token / `start-after`, `key-marker`) is exclusive,
 * and a common prefix that sorts at or before it is not returned again.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
export interface ListSource<T> {
  keyOf(item: T): string;
  /** Items with key > `key` (>= when inclusive), in order, at most `limit`. */
  fromKey(key: string, inclusive: boolean, limit: number): T[];
  /** Items that follow `item` in order (for sources with several items per key), at most `limit`. */
  after(item: T, limit: number): T[];
}

export interface ListOptions<T> {
  prefix: string;
  delimiter?: string;
  /** Exclusive lower bound on keys and common prefixes ("" for none). */
  marker: string;
  /** Resume right after this item instead (ListObjectVersions with a version-id-marker). */
  resumeAfter?: T;
  maxKeys: number;
}

export type ListEntry<T> = { item: T } | { commonPrefix: string };

export interface ListPage<T> {
  entries: ListEntry<T>[];
  isTruncated: boolean;
}

const BATCH = 1000;

/** Compares two strings by their UTF-8 bytes (which is code point order). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

/** The smallest string greater than every string that starts with `prefix`, or undefined. */
export function prefixSuccessor(prefix: string): string | undefined {
  const points = Array.from(prefix);
  while (points.length > 0) {
    const last = (points.pop() as string).codePointAt(0) as number;
    let next = last + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
    if (next <= 0x10ffff) return points.join("") + String.fromCodePoint(next);
  }
  return undefined;
}

function commonPrefixOf(key: string, prefix: string, delimiter: string | undefined): string | undefined {
  if (!delimiter) return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

type Cursor<T> = { key: string; inclusive: boolean } | { item: T };

function startCursor<T>(o: ListOptions<T>): Cursor<T> {
  if (o.resumeAfter !== undefined) return { item: o.resumeAfter };
  if (o.marker !== "" && compareUtf8(o.marker, o.prefix) >= 0) return { key: o.marker, inclusive: false };
  return { key: o.prefix, inclusive: true };
}

export function listPage<T>(source: ListSource<T>, o: ListOptions<T>): ListPage<T> {
  const entries: ListEntry<T>[] = [];
  let cursor: Cursor<T> | undefined = startCursor(o);
  while (cursor) {
    const batch: T[] =
      "item" in cursor
        ? source.after(cursor.item, BATCH)
        : source.fromKey(cursor.key, cursor.inclusive, BATCH);
    const next: Cursor<T> | undefined =
      batch.length < BATCH ? undefined : { item: batch[batch.length - 1] as T };
    cursor = next;
    for (const item of batch) {
      const key = source.keyOf(item);
      if (!key.startsWith(o.prefix)) {
        if (compareUtf8(key, o.prefix) > 0) return { entries, isTruncated: false };
        continue;
      }
      const cp = commonPrefixOf(key, o.prefix, o.delimiter);
      if (cp === undefined) {
        if (entries.length >= o.maxKeys) return { entries, isTruncated: true };
        entries.push({ item });
        continue;
      }
      if (o.marker === "" || compareUtf8(cp, o.marker) > 0) {
        if (entries.length >= o.maxKeys) return { entries, isTruncated: true };
        entries.push({ commonPrefix: cp });
      }
      const skipTo = prefixSuccessor(cp);
      cursor = skipTo === undefined ? undefined : { key: skipTo, inclusive: true };
      break;
    }
  }
  return { entries, isTruncated: false };
}
