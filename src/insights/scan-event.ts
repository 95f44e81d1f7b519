import type { CloudTrailEvent } from "../events/cloudtrail-event.js";

/** The fields of a record the analyzer counts by, read without parsing the whole record. */
export interface ScannedEvent {
  timeMs: number;
  account: string;
  region: string;
  eventSource: string;
  eventName: string;
  /** Undefined when the call succeeded. */
  errorCode: string | undefined;
  readOnly: boolean;
  /** Management, Data, Insight, ... (Management when absent, as before eventVersion 1.07). */
  category: string;
  /** eventType AwsApiCall: only API calls make call and error rates. */
  apiCall: boolean;
  /** userIdentity.arn, or invokedBy, or the identity type: the userIdentityArn attribution. */
  identity: string;
  userAgent: string;
}

/**
 * The scalar fields that follow userIdentity, in CloudTrail's order (serialize-event.ts), and
 * those after eventType; `true` marks the fields whose values are read. userIdentity's leading
 * scalars come first; its sessionContext (an object) ends that walk, as requestParameters ends
 * the head and serviceEventDetails the tail.
 */
const IDENTITY = keys({
  type: true,
  principalId: false,
  arn: true,
  accountId: false,
  accessKeyId: false,
  userName: false,
  invokedBy: true,
});
const HEAD = keys({
  eventTime: false,
  eventSource: true,
  eventName: true,
  awsRegion: true,
  sourceIPAddress: false,
  userAgent: true,
  errorCode: true,
  errorMessage: false,
});
const TAIL = keys({
  eventType: true,
  apiVersion: false,
  managementEvent: true,
  recipientAccountId: true,
  sharedEventID: false,
  vpcEndpointId: false,
  vpcEndpointAccountId: false,
  eventCategory: true,
});
const ID_VALUES: Scalar[] = new Array(IDENTITY.names.length);
const HEAD_VALUES: Scalar[] = new Array(HEAD.names.length);
const TAIL_VALUES: Scalar[] = new Array(TAIL.names.length);

interface KeyList {
  names: string[];
  wanted: boolean[];
}

function keys(spec: Record<string, boolean>): KeyList {
  return { names: Object.keys(spec).map((k) => `"${k}":`), wanted: Object.values(spec) };
}

/**
 * Reads the analyzer's fields from a record as the recorder writes it: compact JSON in
 * CloudTrail's field order. It walks userIdentity's leading scalars, finds eventTime (the first
 * top-level key after userIdentity), then walks the scalar fields that follow, key by key, up
 * to requestParameters; from the end,
 * it finds the last eventType (nothing after it holds one) and walks to eventCategory, and the
 * readOnly just before. A JSON string cannot hold an unescaped quote, so a matched `"key":` is
 * always a key. Whatever does not fit (another order, escaped characters, a missing field) goes
 * to JSON.parse, which costs about four times as much.
 * Returns undefined for a record that is not a CloudTrail event.
 */
export function scanEvent(buf: Buffer, out: ScannedEvent): ScannedEvent | undefined {
  const s = buf.toString("utf8");
  // `{"eventVersion":"1.11",` puts userIdentity at 23; other versions are found by search.
  const idAt = s.startsWith('"userIdentity":{', 23) ? 23 : s.indexOf('"userIdentity":{');
  const id = idAt < 0 || idAt > 40 ? undefined : walk(s, idAt + 16, IDENTITY, ID_VALUES);
  // eventTime follows userIdentity: search on from where its scalars ended.
  const head = s.indexOf('"eventTime":"', walkEnd);
  if (!id || head < 0) return parseSlow(s, out);
  const h = walk(s, head, HEAD, HEAD_VALUES);
  const typeAt = s.lastIndexOf('"eventType":"');
  const t = typeAt < head ? undefined : walk(s, typeAt, TAIL, TAIL_VALUES);
  const timeMs = parseEventTime(s, head + 13);
  if (!h || !t || Number.isNaN(timeMs)) return parseSlow(s, out);
  const [, eventSource, eventName, region, , userAgent, errorCode] = h;
  const account = t[3];
  if (typeof eventSource !== "string" || typeof eventName !== "string" || typeof region !== "string")
    return parseSlow(s, out);
  if (typeof account !== "string") return parseSlow(s, out);
  const ro = s.lastIndexOf('"readOnly":', typeAt);
  out.timeMs = timeMs;
  out.account = account;
  out.region = region;
  out.eventSource = eventSource;
  out.eventName = eventName;
  out.errorCode = typeof errorCode === "string" ? errorCode : undefined;
  out.readOnly = ro > head && s.charCodeAt(ro + 11) === 116; // t(rue)
  out.category = typeof t[7] === "string" ? t[7] : t[2] === false ? "Data" : "Management";
  out.apiCall = t[0] === "AwsApiCall";
  out.identity = str(id[2]) ?? str(id[6]) ?? str(id[0]) ?? "";
  out.userAgent = typeof userAgent === "string" ? userAgent : "";
  return out;
}

const str = (v: Scalar): string | undefined => (typeof v === "string" ? v : undefined);

type Scalar = string | boolean | undefined;

/**
 * Walks `"key":value,` pairs from `at` while the keys come from `list`, in order, into
 * `values` (by key index; only wanted strings are sliced); undefined when a string value has
 * escapes or the record ends inside the walk.
 */
/** Where the last walk stopped. */
let walkEnd = 0;

function walk(s: string, at: number, list: KeyList, values: Scalar[]): Scalar[] | undefined {
  values.fill(undefined);
  walkEnd = at;
  const { names, wanted } = list;
  let p = at;
  for (let k = 0; k < names.length; k++) {
    const key = names[k] as string;
    if (!s.startsWith(key, p)) continue;
    const v = p + key.length;
    const c = s.charCodeAt(v);
    let end: number;
    if (c === 34) {
      end = s.indexOf('"', v + 1);
      if (end < 0) return undefined;
      if (wanted[k]) {
        if (hasBackslash(s, v + 1, end)) return undefined;
        values[k] = s.slice(v + 1, end);
      }
      end++;
    } else if (c === 116) {
      values[k] = true;
      end = v + 4;
    } else if (c === 102) {
      values[k] = false;
      end = v + 5;
    } else if (c === 110) {
      end = v + 4; // null
    } else return values; // an object or array: the scalar run ends here
    walkEnd = end;
    if (s.charCodeAt(end) !== 44) return values; // not ",": the end of the record
    p = end + 1;
  }
  return values;
}

function hasBackslash(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 92) return true;
  return false;
}

const digits = (s: string, at: number, n: number): number => {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = s.charCodeAt(at + i) - 48;
    if (!(d >= 0 && d <= 9)) return Number.NaN;
    v = v * 10 + d;
  }
  return v;
};

/** `YYYY-MM-DDTHH:MM:SSZ` to epoch ms without Date.parse (days from civil, proleptic Gregorian). */
function parseEventTime(s: string, at: number): number {
  const m = digits(s, at + 5, 2);
  if (s.charCodeAt(at + 19) !== 90 || !(m >= 1 && m <= 12)) return Number.NaN;
  const days = daysFromCivil(digits(s, at, 4), m, digits(s, at + 8, 2));
  return (
    (days * 86400 + digits(s, at + 11, 2) * 3600 + digits(s, at + 14, 2) * 60 + digits(s, at + 17, 2)) * 1000
  );
}

export function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function parseSlow(s: string, out: ScannedEvent): ScannedEvent | undefined {
  try {
    return fromEvent(JSON.parse(s) as CloudTrailEvent, out);
  } catch {
    return undefined;
  }
}

/** The same fields from a parsed record (tests, and records the fast path cannot read). */
export function fromEvent(e: CloudTrailEvent, out: ScannedEvent): ScannedEvent | undefined {
  if (!e || typeof e !== "object" || typeof e.eventTime !== "string") return undefined;
  const timeMs = Date.parse(e.eventTime);
  const account = e.recipientAccountId ?? e.userIdentity?.accountId;
  if (Number.isNaN(timeMs) || typeof account !== "string" || typeof e.awsRegion !== "string")
    return undefined;
  const id = e.userIdentity;
  out.timeMs = timeMs;
  out.account = account;
  out.region = e.awsRegion;
  out.eventSource = typeof e.eventSource === "string" ? e.eventSource : "";
  out.eventName = typeof e.eventName === "string" ? e.eventName : "";
  out.errorCode = typeof e.errorCode === "string" ? e.errorCode : undefined;
  out.readOnly = e.readOnly === true;
  out.category =
    typeof e.eventCategory === "string"
      ? e.eventCategory
      : e.managementEvent === false
        ? "Data"
        : "Management";
  out.apiCall = e.eventType === "AwsApiCall";
  out.identity = id?.arn ?? id?.invokedBy ?? id?.type ?? "";
  out.userAgent = typeof e.userAgent === "string" ? e.userAgent : "";
  return out;
}

export function emptyScan(): ScannedEvent {
  return {
    timeMs: 0,
    account: "",
    region: "",
    eventSource: "",
    eventName: "",
    errorCode: undefined,
    readOnly: false,
    category: "",
    apiCall: false,
    identity: "",
    userAgent: "",
  };
}
