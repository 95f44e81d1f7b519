import type { LakeDb } from "../lake-db.js";
import type { ImportRecord } from "./import-model.js";

/** Imports in memory and in LakeDb, and the run in progress of each. */
export class ImportRegistry {
  readonly records = new Map<string, ImportRecord>();
  private readonly runs = new Map<string, Promise<void>>();
  private readonly stopping = new Set<string>();

  constructor(db: LakeDb) {
    for (const r of db.loadRecords<ImportRecord>("imports")) {
      // A restart ends a run; StartImport with the ImportId resumes it from the files done.
      if (r.status === "INITIALIZING" || r.status === "IN_PROGRESS") {
        r.status = "STOPPED";
        db.putRecord("imports", r.id, r, r.createdAt);
      }
      this.records.set(r.id, r);
    }
  }

  track(id: string, run: Promise<void>): void {
    this.stopping.delete(id);
    const settled = run.finally(() => this.runs.delete(id));
    this.runs.set(id, settled);
  }

  stop(id: string): void {
    this.stopping.add(id);
  }

  stopped(id: string): boolean {
    return this.stopping.has(id);
  }

  /** Resolves when the import's current run has ended (tests, the CLI). */
  settled(id: string): Promise<void> {
    return this.runs.get(id) ?? Promise.resolve();
  }

  async stopAll(): Promise<void> {
    for (const id of this.runs.keys()) this.stopping.add(id);
    await Promise.all([...this.runs.values()]);
  }
}
