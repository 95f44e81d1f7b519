import type { Database, Statement } from "better-sqlite3";

/**
 * Account+region scopes, each a small integer id (the high part of every posting key). Ids are
 * append-only; writes happen inside the caller's transaction (reload() after a rollback).
 */
export class ScopeTable {
  private byName = new Map<string, number>();
  private last: { account: string; region: string; id: number } | undefined;
  private readonly insert: Statement<[string, string]>;

  constructor(private readonly db: Database) {
    this.insert = db.prepare("INSERT INTO scopes (account, region) VALUES (?, ?)");
  }

  reload(): void {
    this.byName = new Map();
    this.last = undefined;
    const rows = this.db.prepare("SELECT id, account, region FROM scopes").all() as Array<{
      id: number;
      account: string;
      region: string;
    }>;
    for (const r of rows) this.byName.set(`${r.account}\u0000${r.region}`, r.id);
  }

  ids(): number[] {
    return [...this.byName.values()];
  }

  find(account: string, region: string): number | undefined {
    return this.byName.get(`${account}\u0000${region}`);
  }

  intern(account: string, region: string): number {
    const last = this.last;
    if (last && last.account === account && last.region === region) return last.id;
    let id = this.find(account, region);
    if (id === undefined) {
      id = Number(this.insert.run(account, region).lastInsertRowid);
      this.byName.set(`${account}\u0000${region}`, id);
    }
    this.last = { account, region, id };
    return id;
  }
}
