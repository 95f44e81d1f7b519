import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import { type EventFields, eventFields } from "./event-fields.js";

/**
 * Reads the fields event history needs straight from a split record (record-codec), without
 * JSON.parse: a shape fixes which slot holds which field, so the slot positions are worked out
 * once per shape (a walk over its structure text) and cached. The result is the subset of the
 * record that `eventFields` reads; for JSON that is not compact (which the splitter does not
 * recognise keys in) the caller falls back to JSON.parse.
 */
const TOP = new Set([
  "eventID",
  "eventTime",
  "eventName",
  "eventSource",
  "awsRegion",
  "recipientAccountId",
  "eventCategory",
  "eventType",
]);
const IDENTITY = new Set(["type", "userName", "arn", "principalId", "accessKeyId", "accountId"]);
const INSIGHT = new Set(["eventName", "eventSource"]);
const RESOURCE = new Set(["ARN", "type"]);

/** Slot indices of the wanted string fields (-1: not in this shape), as fixed properties. */
interface SlotIndex {
  eventID: number;
  eventTime: number;
  eventName: number;
  eventSource: number;
  awsRegion: number;
  recipientAccountId: number;
  eventCategory: number;
  eventType: number;
  "userIdentity.type": number;
  "userIdentity.userName": number;
  "userIdentity.arn": number;
  "userIdentity.principalId": number;
  "userIdentity.accessKeyId": number;
  "userIdentity.accountId": number;
  "insightDetails.eventName": number;
  "insightDetails.eventSource": number;
}

export interface FieldMap {
  /** Slot index of each wanted string field, by path (`eventName`, `userIdentity.arn`, ...). */
  slots: Map<string, number>;
  readOnly?: boolean;
  managementEvent?: boolean;
  resources: Array<Map<string, number>>;
}

/** A FieldMap compiled for the hot path: plain numbers instead of map lookups. */
interface CompiledFieldMap {
  at: SlotIndex;
  readOnly?: boolean;
  managementEvent?: boolean;
  resources: Array<{ type: number; ARN: number }>;
}

function compile(map: FieldMap): CompiledFieldMap {
  const index = (k: string) => map.slots.get(k) ?? -1;
  return {
    at: {
      eventID: index("eventID"),
      eventTime: index("eventTime"),
      eventName: index("eventName"),
      eventSource: index("eventSource"),
      awsRegion: index("awsRegion"),
      recipientAccountId: index("recipientAccountId"),
      eventCategory: index("eventCategory"),
      eventType: index("eventType"),
      "userIdentity.type": index("userIdentity.type"),
      "userIdentity.userName": index("userIdentity.userName"),
      "userIdentity.arn": index("userIdentity.arn"),
      "userIdentity.principalId": index("userIdentity.principalId"),
      "userIdentity.accessKeyId": index("userIdentity.accessKeyId"),
      "userIdentity.accountId": index("userIdentity.accountId"),
      "insightDetails.eventName": index("insightDetails.eventName"),
      "insightDetails.eventSource": index("insightDetails.eventSource"),
    },
    readOnly: map.readOnly,
    managementEvent: map.managementEvent,
    resources: map.resources.map((r) => ({ type: r.get("type") ?? -1, ARN: r.get("ARN") ?? -1 })),
  };
}

function closingQuote(s: string, from: number): number {
  for (let j = from; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === 92) j++;
    else if (c === 34) return j;
  }
  return s.length;
}

/** Where the wanted fields are in records of this shape (parts as produced by splitRecord). */
export function fieldMapOf(parts: readonly string[]): FieldMap {
  const map: FieldMap = { slots: new Map(), resources: [] };
  const parent: Array<string | undefined> = [];
  const isArray: boolean[] = [];
  let depth = 0;
  let key: string | undefined;
  const assign = (slot: number) => {
    if (key === undefined) return;
    if (depth === 1 && TOP.has(key)) map.slots.set(key, slot);
    else if (depth === 2 && parent[2] === "userIdentity" && IDENTITY.has(key))
      map.slots.set(`userIdentity.${key}`, slot);
    else if (depth === 2 && parent[2] === "insightDetails" && INSIGHT.has(key))
      map.slots.set(`insightDetails.${key}`, slot);
    else if (depth === 3 && parent[2] === "resources" && isArray[2] && RESOURCE.has(key))
      map.resources.at(-1)?.set(key, slot);
  };
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p] as string;
    const last = p === parts.length - 1;
    let i = p > 0 && (parts[p - 1] as string).endsWith('"') ? 1 : 0;
    while (i < part.length) {
      const c = part[i];
      if (c === '"') {
        if (i === part.length - 1 && !last) {
          assign(p);
          key = undefined;
          break;
        }
        const end = closingQuote(part, i + 1);
        const raw = part.slice(i + 1, end);
        key = raw.includes("\\") ? unescapeJson(raw) : raw;
        i = end + 2;
        continue;
      }
      switch (c) {
        case "{":
        case "[":
          depth++;
          parent[depth] = key;
          isArray[depth] = c === "[";
          if (depth === 2 && key === "resources") map.resources = [];
          if (c === "{" && depth === 3 && parent[2] === "resources" && isArray[2])
            map.resources.push(new Map());
          key = undefined;
          break;
        case "}":
        case "]":
          depth--;
          key = undefined;
          break;
        case "t":
        case "f":
          if (depth === 1 && (key === "readOnly" || key === "managementEvent")) map[key] = c === "t";
          key = undefined;
          break;
        case "n":
        case ",":
          key = undefined;
          break;
      }
      i++;
    }
    if (!last && !part.endsWith('"')) key = undefined;
  }
  return map;
}

function unescapeJson(raw: string): string | undefined {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return undefined;
  }
}

const byParts = new WeakMap<readonly string[], CompiledFieldMap>();
const byKey = new Map<string, CompiledFieldMap>();
const MAX_KEYED = 4096;

/**
 * The compiled field map of a shape, cached per parts array (interned shapes keep theirs) and,
 * for shapes not interned (yet), per shape key when the caller has it.
 */
function fieldMapFor(parts: readonly string[], key?: string): CompiledFieldMap {
  let map = byParts.get(parts) ?? (key === undefined ? undefined : byKey.get(key));
  if (!map) {
    map = compile(fieldMapOf(parts));
    if (key !== undefined) {
      if (byKey.size >= MAX_KEYED) byKey.clear();
      byKey.set(key, map);
    }
  }
  byParts.set(parts, map);
  return map;
}

function slotText(slots: readonly string[], index: number): string | undefined {
  if (index < 0) return undefined;
  const raw = slots[index];
  return raw === undefined || !raw.includes("\\") ? raw : unescapeJson(raw);
}

/** The subset of the record that event history reads, from a split record. */
export function recordView(
  parts: readonly string[],
  slots: readonly string[],
  key?: string,
): CloudTrailEvent {
  const { at, readOnly, managementEvent, resources } = fieldMapFor(parts, key);
  // One object literal of a fixed shape: the hot path of indexing and of every lookup.
  const view = {
    readOnly,
    managementEvent,
    eventID: slotText(slots, at.eventID),
    eventTime: slotText(slots, at.eventTime),
    eventName: slotText(slots, at.eventName),
    eventSource: slotText(slots, at.eventSource),
    awsRegion: slotText(slots, at.awsRegion),
    recipientAccountId: slotText(slots, at.recipientAccountId),
    eventCategory: slotText(slots, at.eventCategory),
    eventType: slotText(slots, at.eventType),
    userIdentity: {
      type: slotText(slots, at["userIdentity.type"]),
      userName: slotText(slots, at["userIdentity.userName"]),
      arn: slotText(slots, at["userIdentity.arn"]),
      principalId: slotText(slots, at["userIdentity.principalId"]),
      accessKeyId: slotText(slots, at["userIdentity.accessKeyId"]),
      accountId: slotText(slots, at["userIdentity.accountId"]),
    },
    insightDetails: {
      eventName: slotText(slots, at["insightDetails.eventName"]),
      eventSource: slotText(slots, at["insightDetails.eventSource"]),
    },
    resources: resources.map((r) => ({ type: slotText(slots, r.type), ARN: slotText(slots, r.ARN) })),
  };
  return view as unknown as CloudTrailEvent;
}

/**
 * The history fields of a record and the view they came from: from its split form when the
 * splitter recognised its structure (compact JSON), else from JSON.parse. Undefined when event
 * history does not keep the record (data events, not an event at all).
 */
export function readFields(
  text: string,
  parts: readonly string[],
  slots: readonly string[],
  key?: string,
): { fields: EventFields; record: CloudTrailEvent } | undefined {
  if (parts.length > 0) {
    const record = recordView(parts, slots, key);
    const fields = eventFields(record);
    if (fields) return { fields, record };
    if (record.eventID !== undefined && record.eventTime !== undefined) return undefined;
  }
  try {
    const record = JSON.parse(text) as CloudTrailEvent;
    const fields = eventFields(record);
    return fields && { fields, record };
  } catch {
    return undefined;
  }
}
