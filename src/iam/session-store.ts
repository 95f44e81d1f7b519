/**
 * Temporary credentials issued by AssumeRole, persisted in `<dataDir>/sessions.json` (mode 0600)
 * so they survive a restart. Expired sessions are kept for a day so that using one is answered
 * ExpiredToken (as AWS does) rather than "invalid"; after that they are forgotten.
 */
import { readFile } from "node:fs/promises";
import type { Logger } from "../config/logger.js";
import { writeFileAtomic } from "./atomic-file.js";

export interface SessionRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  roleName: string;
  roleId: string;
  roleArn: string;
  sessionName: string;
  /** ISO 8601, whole seconds. */
  creationDate: string;
  expiration: string;
  /** ARN of the principal that called AssumeRole. */
  sourceArn: string;
}

export const EXPIRED_SESSION_RETENTION_MS = 24 * 3600_000;

export class SessionStore {
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: string,
    private readonly sessions: Map<string, SessionRecord>,
    private readonly now: () => Date,
  ) {}

  static async open(file: string, logger: Logger, now: () => Date): Promise<SessionStore> {
    const sessions = new Map<string, SessionRecord>();
    for (const s of await readSessions(file, logger)) sessions.set(s.accessKeyId, s);
    const store = new SessionStore(file, sessions, now);
    store.prune();
    return store;
  }

  get(accessKeyId: string): SessionRecord | undefined {
    return this.sessions.get(accessKeyId);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Resolves once the session is durable on disk. */
  async add(session: SessionRecord): Promise<void> {
    this.sessions.set(session.accessKeyId, session);
    this.prune();
    await this.persist();
  }

  private prune(): void {
    const cutoff = this.now().getTime() - EXPIRED_SESSION_RETENTION_MS;
    for (const [id, s] of this.sessions) {
      if (Date.parse(s.expiration) < cutoff) this.sessions.delete(id);
    }
  }

  /** Writes are serialized; each writes the state at the time it runs, so the last one wins. */
  private persist(): Promise<void> {
    const next = this.writing.then(() =>
      writeFileAtomic(this.file, `${JSON.stringify({ sessions: [...this.sessions.values()] }, null, 2)}\n`),
    );
    this.writing = next.catch(() => undefined);
    return next;
  }
}

async function readSessions(file: string, logger: Logger): Promise<SessionRecord[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  try {
    const parsed = JSON.parse(text) as { sessions?: unknown };
    if (!Array.isArray(parsed.sessions)) throw new Error("no sessions array");
    return parsed.sessions.filter(isSessionRecord);
  } catch (e) {
    // Temporary credentials are expendable: a damaged file costs callers a new AssumeRole,
    // not the server's start.
    logger.warn("ignoring unreadable sessions file", {
      file,
      error: e instanceof Error ? e.message : String(e),
    });
    return [];
  }
}

const FIELDS: Array<keyof SessionRecord> = [
  "accessKeyId",
  "secretAccessKey",
  "sessionToken",
  "accountId",
  "roleName",
  "roleId",
  "roleArn",
  "sessionName",
  "creationDate",
  "expiration",
  "sourceArn",
];

function isSessionRecord(value: unknown): value is SessionRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return FIELDS.every((f) => typeof record[f] === "string");
}
