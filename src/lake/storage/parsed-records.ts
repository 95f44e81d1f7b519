import type { CloudTrailEvent } from "../../events/cloudtrail-event.js";
import type { LogRecord } from "../../log/index.js";

/**
 * Log records as events, parsed once for every store: each store's consumer reads the same
 * records (usually the very same batch, at the same time), and JSON.parse is the larger part of
 * the JavaScript side of ingest. Only the most recent batch is kept, so memory stays bounded by
 * one batch; a store that lags behind simply parses for itself.
 */
export class ParsedRecords {
  private first = 0;
  private events: Array<CloudTrailEvent | undefined> = [];

  /**
   * The events of `records` (undefined for a payload that is not a JSON object); `keep` keeps
   * them for the next caller (only worth its memory when several stores are ingesting).
   */
  parse(records: readonly LogRecord[], keep: boolean): Array<CloudTrailEvent | undefined> {
    const out = new Array<CloudTrailEvent | undefined>(records.length);
    const { first, events } = this;
    for (let i = 0; i < records.length; i++) {
      const r = records[i] as LogRecord;
      const at = r.seq - first;
      out[i] = at >= 0 && at < events.length ? events[at] : parseEvent(r.payload);
    }
    this.first = records[0]?.seq ?? 0;
    this.events = keep ? out : [];
    return out;
  }
}

function parseEvent(payload: Buffer): CloudTrailEvent | undefined {
  try {
    const value: unknown = JSON.parse(payload.toString("utf8"));
    return value !== null && typeof value === "object" ? (value as CloudTrailEvent) : undefined;
  } catch {
    return undefined;
  }
}
