import { type SigningKeyRef, signingKey } from "./sigv4.js";

/**
 * A signed-in console: the access key id and the day's derived SigV4 signing keys, one per
 * service. Kept in sessionStorage (this tab only, gone when it closes) so a reload stays signed
 * in; the secret access key itself is never stored anywhere, and the keys stop working at the
 * end of the UTC day they were derived for.
 */
export interface Session {
  accessKeyId: string;
  sessionToken?: string;
  region: string;
  day: string;
  keys: Record<Service, string>;
  /** The caller's ARN (GetCallerIdentity), shown in the header. */
  arn?: string;
}

export type Service = "cloudtrail" | "s3" | "sts";
const SERVICES: Service[] = ["cloudtrail", "s3", "sts"];
const STORAGE_KEY = "opentrail.session";

export const utcDay = (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, "");

export async function createSession(
  accessKeyId: string,
  secretAccessKey: string,
  region: string,
  sessionToken: string | undefined,
  now: Date,
): Promise<Session> {
  const day = utcDay(now);
  const keys = {} as Record<Service, string>;
  for (const s of SERVICES) keys[s] = await signingKey(secretAccessKey, day, region, s);
  return { accessKeyId, sessionToken: sessionToken || undefined, region, day, keys };
}

export function keyFor(s: Session, service: Service): SigningKeyRef {
  return {
    accessKeyId: s.accessKeyId,
    sessionToken: s.sessionToken,
    region: s.region,
    service,
    day: s.day,
    key: s.keys[service],
  };
}

export function saveSession(s: Session): void {
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s));
}

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : undefined;
  } catch {
    return undefined;
  }
}

export function clearSession(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
