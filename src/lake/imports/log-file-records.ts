import { gunzipSync } from "node:zlib";

/**
 * The CloudTrail records in one file of an import: a log file as CloudTrail delivers it
 * (`{"Records":[...]}`, gzip or plain) or a JSON array of records. Throws with a message for the
 * import's failure list when the file is neither; records that are not objects with an eventID
 * and eventTime are skipped (and counted).
 */
export interface FileRecords {
  records: Array<Record<string, unknown>>;
  skipped: number;
}

export class MalformedLogFileError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

export function parseLogFile(body: Buffer): FileRecords {
  let text: string;
  try {
    text = (body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body).toString("utf8");
  } catch (e) {
    throw new MalformedLogFileError(
      "DecompressionError",
      `The file is not valid gzip: ${(e as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new MalformedLogFileError("InvalidJson", `The file is not valid JSON: ${(e as Error).message}`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(list))
    throw new MalformedLogFileError(
      "InvalidLogFile",
      'The file is neither a CloudTrail log file ({"Records": [...]}) nor a JSON array of records.',
    );
  const records: Array<Record<string, unknown>> = [];
  let skipped = 0;
  for (const r of list) {
    if (r && typeof r === "object" && typeof r.eventID === "string" && typeof r.eventTime === "string")
      records.push(r as Record<string, unknown>);
    else skipped++;
  }
  if (records.length === 0 && list.length > 0)
    throw new MalformedLogFileError(
      "InvalidLogFile",
      "The file holds no CloudTrail records (eventID and eventTime).",
    );
  return { records, skipped };
}

/** The UTC day (partition) of a record. */
export function recordDay(record: Record<string, unknown>): string {
  return String(record.eventTime).slice(0, 10);
}
