import type { ByteReader, ByteWriter } from "./byte-buffer.js";

/**
 * Compact binary forms of the high-entropy values CloudTrail records are full of. Each parser
 * accepts only the canonical text of its type, so formatting the parsed value gives back the
 * exact same characters; anything else is stored as a plain string by the caller.
 */

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** 0 = not a UUID, 1 = lower-case UUID, 2 = upper-case UUID (8-4-4-4-12 hex digits). */
export function uuidCase(s: string): 0 | 1 | 2 {
  if (s.length !== 36) return 0;
  let lower = false;
  let upper = false;
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return 0;
    } else if (c >= 97 && c <= 102) lower = true;
    else if (c >= 65 && c <= 70) upper = true;
    else if (c < 48 || c > 57) return 0;
  }
  if (lower && upper) return 0;
  return upper ? 2 : 1;
}

export function writeUuid(w: ByteWriter, s: string): void {
  for (let i = 0; i < 36; ) {
    if (s.charCodeAt(i) === 45) {
      i++;
      continue;
    }
    w.byte(hexValue(s.charCodeAt(i)) * 16 + hexValue(s.charCodeAt(i + 1)));
    i += 2;
  }
}

/** Scratch space for formatting ASCII literals into one string allocation. */
const scratch = Buffer.alloc(40);
const HEX_LOWER = Buffer.from("0123456789abcdef");
const HEX_UPPER = Buffer.from("0123456789ABCDEF");

export function readUuid(r: ByteReader, upper: boolean): string {
  const hex = upper ? HEX_UPPER : HEX_LOWER;
  let at = 0;
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) scratch[at++] = 45;
    const b = r.byte();
    scratch[at++] = hex[b >> 4] as number;
    scratch[at++] = hex[b & 15] as number;
  }
  return scratch.toString("latin1", 0, 36);
}

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * Seconds since the epoch for canonical `YYYY-MM-DDTHH:MM:SSZ` (CloudTrail's eventTime form),
 * years 1970-9999. Fixed-width fields in range are canonical by construction.
 */
export function parseIsoSeconds(s: string): number | undefined {
  if (s.length !== 20 || s.charCodeAt(19) !== 90 || s.charCodeAt(10) !== 84) return undefined;
  if (s[4] !== "-" || s[7] !== "-" || s[13] !== ":" || s[16] !== ":") return undefined;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23) return undefined;
  if (minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  const monthDays = month === 2 && isLeap(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  if (day > monthDays) return undefined;
  return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

function putDigits(at: number, value: number, width: number): void {
  for (let i = width - 1, v = value; i >= 0; i--, v = Math.floor(v / 10)) scratch[at + i] = 48 + (v % 10);
}

/** Inverse of parseIsoSeconds (H. Hinnant's civil_from_days). */
export function formatIsoSeconds(t: number): string {
  const days = Math.floor(t / 86400);
  const secs = t - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  putDigits(0, yoe + era * 400 + (month <= 2 ? 1 : 0), 4);
  putDigits(5, month, 2);
  putDigits(8, doy - Math.floor((153 * mp + 2) / 5) + 1, 2);
  putDigits(11, Math.floor(secs / 3600), 2);
  putDigits(14, Math.floor((secs % 3600) / 60), 2);
  putDigits(17, secs % 60, 2);
  scratch[4] = 45;
  scratch[7] = 45;
  scratch[10] = 84;
  scratch[13] = 58;
  scratch[16] = 58;
  scratch[19] = 90;
  return scratch.toString("latin1", 0, 20);
}

/** The 32-bit value of a canonical dotted-quad IPv4 address (no leading zeros). */
export function parseIpv4(s: string): number | undefined {
  if (s.length < 7 || s.length > 15) return undefined;
  let value = 0;
  let octets = 0;
  let start = 0;
  for (let i = 0; i <= s.length; i++) {
    if (i < s.length && s.charCodeAt(i) !== 46) continue;
    const len = i - start;
    if (len < 1 || len > 3 || (len > 1 && s.charCodeAt(start) === 48)) return undefined;
    const octet = digits(s, start, len);
    if (octet < 0 || octet > 255) return undefined;
    value = value * 256 + octet;
    octets++;
    start = i + 1;
  }
  return octets === 4 ? value : undefined;
}

export function formatIpv4(v: number): string {
  return `${Math.floor(v / 16777216)}.${Math.floor(v / 65536) % 256}.${Math.floor(v / 256) % 256}.${v % 256}`;
}

/** A canonical non-negative decimal integer of at most 15 digits (exact in a double). */
export function parseUint(s: string): number | undefined {
  if (s.length === 0 || s.length > 15 || (s.length > 1 && s.charCodeAt(0) === 48)) return undefined;
  const n = digits(s, 0, s.length);
  return n < 0 ? undefined : n;
}
