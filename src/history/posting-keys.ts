import type { EventFields } from "./event-fields.js";

/**
 * What the index is keyed by. A posting key is (sk, v): sk packs the account+region scope, the
 * category and the attribute kind; v is the attribute value's 52-bit hash (0/1 for ReadOnly, a
 * hash partition for EventId, 0 for All). Every number here is persisted: never renumber.
 */
export const Kind = {
  /** Every event of the scope and category: time-range lookups without an attribute. */
  All: 0,
  EventId: 1,
  EventName: 2,
  ReadOnly: 3,
  Username: 4,
  ResourceType: 5,
  ResourceName: 6,
  EventSource: 7,
  AccessKeyId: 8,
} as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export const EVENT_ID_PARTITIONS = 1024;

export function scopeKey(scopeId: number, insight: boolean, kind: Kind): number {
  return (scopeId * 2 + (insight ? 1 : 0)) * 16 + kind;
}

export function kindOf(sk: number): Kind {
  return (sk % 16) as Kind;
}

/** FNV-1a (32 bit) over UTF-16 code units, with a chosen offset basis. */
function fnv1a(s: string, basis: number): number {
  let h = basis;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The 52-bit key of an attribute value (FNV-1a and a variant with another multiplier). Values are hashed, not interned,
 * so indexing never writes a dictionary row; a lookup re-checks each candidate's actual value,
 * so a collision costs a little time, never a wrong result. Persisted: must never change.
 */
export function attributeHash(value: string): number {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 2 ** 20 + ((b >>> 0) >>> 12);
}

/** eventID hash; its partition (one of 1024 keys) and tag (14 bits) are persisted. */
export function eventIdHash(eventId: string): number {
  return fnv1a(eventId, 0x811c9dc5);
}

export function eventIdPartition(hash: number): number {
  return hash % EVENT_ID_PARTITIONS;
}

export function eventIdTag(hash: number): number {
  return Math.floor(hash / EVENT_ID_PARTITIONS) % 16384;
}

/** Receives one posting key (sk, v) of an event; `tag` is set for EventId keys only. */
export type PostingSink = (sk: number, v: number, tag: number) => void;

/** Calls `sink` with every posting key one event is indexed under (allocation-free hot path). */
export function forEachPostingKey(fields: EventFields, scopeId: number, sink: PostingSink): void {
  const base = scopeKey(scopeId, fields.category === "insight", Kind.All);
  const hash = eventIdHash(fields.eventId);
  sink(base, 0, 0);
  sink(base + Kind.EventId, eventIdPartition(hash), eventIdTag(hash));
  if (fields.eventName !== undefined) sink(base + Kind.EventName, attributeHash(fields.eventName), 0);
  if (fields.eventSource !== undefined) sink(base + Kind.EventSource, attributeHash(fields.eventSource), 0);
  if (fields.username !== undefined) sink(base + Kind.Username, attributeHash(fields.username), 0);
  if (fields.accessKeyId !== undefined) sink(base + Kind.AccessKeyId, attributeHash(fields.accessKeyId), 0);
  if (fields.readOnly !== undefined) sink(base + Kind.ReadOnly, fields.readOnly ? 1 : 0, 0);
  const { resources } = fields;
  for (let i = 0; i < resources.length; i++) {
    const { type, name } = resources[i] as { type?: string; name?: string };
    // A value repeated among the event's resources is indexed once.
    if (type !== undefined && !seenBefore(resources, i, "type", type)) {
      sink(base + Kind.ResourceType, attributeHash(type), 0);
    }
    if (name !== undefined && !seenBefore(resources, i, "name", name)) {
      sink(base + Kind.ResourceName, attributeHash(name), 0);
    }
  }
}

function seenBefore(
  resources: EventFields["resources"],
  end: number,
  key: "type" | "name",
  value: string,
): boolean {
  for (let j = 0; j < end; j++) if (resources[j]?.[key] === value) return true;
  return false;
}

/** Whether an event's fields have `value` for the lookup attribute `kind` (candidate check). */
export function hasAttribute(fields: EventFields, kind: Kind, value: string): boolean {
  switch (kind) {
    case Kind.All:
      return true;
    case Kind.EventId:
      return fields.eventId === value;
    case Kind.EventName:
      return fields.eventName === value;
    case Kind.ReadOnly:
      return fields.readOnly !== undefined && String(fields.readOnly) === value;
    case Kind.Username:
      return fields.username === value;
    case Kind.ResourceType:
      return fields.resources.some((r) => r.type === value);
    case Kind.ResourceName:
      return fields.resources.some((r) => r.name === value);
    case Kind.EventSource:
      return fields.eventSource === value;
    case Kind.AccessKeyId:
      return fields.accessKeyId === value;
  }
}
