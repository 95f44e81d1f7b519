import type { CloudTrailEvent } from "../events/cloudtrail-event.js";

interface ReadableLog {
  startSeq: number;
  endSeq: number;
  read(fromSeq: number, max: number): Array<{ seq: number; payload: Buffer }>;
}

/** Every record in the event log, parsed. */
export function logEvents(log: ReadableLog): CloudTrailEvent[] {
  const out: CloudTrailEvent[] = [];
  for (let seq = log.startSeq; seq < log.endSeq; ) {
    const batch = log.read(seq, 4096);
    if (batch.length === 0) break;
    for (const r of batch) out.push(JSON.parse(r.payload.toString("utf8")) as CloudTrailEvent);
    seq = (batch.at(-1)?.seq ?? seq) + 1;
  }
  return out;
}

export function eventByRequestId(log: ReadableLog, requestId: string | undefined): CloudTrailEvent {
  const ev = logEvents(log).find((e) => e.requestID === requestId);
  if (!ev) throw new Error(`no event with requestID ${requestId}`);
  return ev;
}
