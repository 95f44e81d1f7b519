import type { Logger } from "../../config/logger.js";
import { AwsError, CommonErrors } from "../../protocol/errors.js";
import type { EventDraft, EventSink } from "../../recorder/event-sink.js";
import type { RawRequest, RawResponse } from "../../server/raw-http.js";
import { recordCall } from "../../server/record-call.js";
import type { RequestContext } from "../../server/request-context.js";
import type { ServiceAudit } from "../../server/service-audit.js";
import type { LakeRuntime } from "../lake-runtime.js";
import { type AuditEventEntry, AuditEventError, auditEventDraft } from "./audit-event-rules.js";
import { type ChannelRecord, parseChannelRef } from "./channel-model.js";

const MAX_EVENTS = 100;
const ID = /^[-_A-Za-z0-9]{1,128}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** Whole-request errors of cloudtrail-data: codes without the Exception suffix (reference §1.6). */
const dataError = (code: string, message: string) => new AwsError(code, message, 400);

interface Failure {
  id: string;
  errorCode: string;
  errorMessage: string;
}

/**
 * The `cloudtrail-data` service (REST-JSON): `POST /PutAuditEvents?channelArn=...&externalId=...`
 * with up to 100 events (the edge caps the body at 1 MB). Each event is checked on its own and
 * reported in `successful` (with the eventID it got) or `failed`; the good ones are appended
 * through the recorder in one batch and are durable before the response. The call itself is
 * recorded as a data event on the channel, as CloudTrail does.
 * https://docs.aws.amazon.com/awscloudtraildata/latest/APIReference/API_PutAuditEvents.html
 */
export function putAuditEventsEndpoint(rt: LakeRuntime, sink: EventSink, logger: Logger) {
  return async (req: RawRequest, ctx: RequestContext): Promise<RawResponse> => {
    const headers = { "content-type": "application/json", "x-amzn-requestid": ctx.requestId };
    const channelParam = req.query.get("channelArn") ?? "";
    let input: Record<string, unknown> = { channelArn: channelParam };
    let channel: ChannelRecord | undefined;
    try {
      if (req.method !== "POST" || req.rawPath !== "/PutAuditEvents")
        throw CommonErrors.unknownOperation(`${req.method} ${req.rawPath}`);
      const body = parseBody(req.body);
      input = { channelArn: channelParam, externalId: req.query.get("externalId") ?? undefined };
      channel = findChannel(rt, channelParam, ctx, req.query.get("externalId") ?? undefined);
      const externalId = req.query.get("externalId");
      if (externalId !== null && !EXTERNAL_ID.test(externalId))
        throw CommonErrors.validation(
          "Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\w+=,.@:\\/-]*$",
        );
      const output = await putEvents(rt, channel, body);
      await recordCall(sink, audit(channel), ctx, { operation: "PutAuditEvents", input, output: {} });
      return { status: 200, headers, body: Buffer.from(JSON.stringify(output)) };
    } catch (e) {
      const err = e instanceof AwsError ? e : internal(e, ctx, logger);
      await recordCall(sink, audit(channel), ctx, { operation: "PutAuditEvents", input, error: err });
      return {
        status: err.status,
        headers: { ...headers, "x-amzn-errortype": err.code },
        body: Buffer.from(JSON.stringify({ __type: err.code, message: err.message })),
      };
    }
  };
}

function parseBody(body: Buffer): AuditEventEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8") || "{}");
  } catch {
    throw CommonErrors.serialization("The request body is not valid JSON.");
  }
  const events = (parsed as { auditEvents?: unknown }).auditEvents;
  if (!Array.isArray(events))
    throw CommonErrors.validation(
      "1 validation error detected: Value null at 'auditEvents' failed to satisfy constraint: Member must not be null",
    );
  if (events.length < 1 || events.length > MAX_EVENTS)
    throw CommonErrors.validation(
      `1 validation error detected: Value at 'auditEvents' failed to satisfy constraint: Member must have length between 1 and ${MAX_EVENTS}`,
    );
  const seen = new Set<string>();
  for (const e of events as Array<Record<string, unknown>>) {
    if (typeof e?.id !== "string" || !ID.test(e.id) || typeof e.eventData !== "string")
      throw CommonErrors.validation(
        "Each audit event needs an id (1-128 characters of letters, digits, - and _) and an eventData string.",
      );
    if (e.eventDataChecksum !== undefined && typeof e.eventDataChecksum !== "string")
      throw CommonErrors.serialization("eventDataChecksum must be a string.");
    if (seen.has(e.id)) throw dataError("DuplicatedAuditEventId", `Two audit events have the id ${e.id}.`);
    seen.add(e.id);
  }
  return events as AuditEventEntry[];
}

function findChannel(
  rt: LakeRuntime,
  ref: string,
  ctx: RequestContext,
  externalId: string | undefined,
): ChannelRecord {
  let id: string;
  try {
    id = parseChannelRef(ref).id;
  } catch {
    throw dataError("InvalidChannelARN", `${ref} is not a valid channel ARN or ID.`);
  }
  const channel = rt.channels.get(id);
  if (!channel) throw dataError("ChannelNotFound", `The channel ${ref} was not found.`);
  // The channel's owner gets a copy of another account's call, allowed or refused.
  if (channel.accountId !== ctx.principal.accountId) ctx.resourceAccountId = channel.accountId;
  // The owner's account may put events unless the channel's policy denies it; any other
  // account only if the policy allows it (its principal, and the externalId if a condition asks).
  const context = { "cloudtrail:ExternalId": externalId };
  if (!rt.policies.allows(channel, ctx, "cloudtrail-data:PutAuditEvents", context))
    throw dataError(
      "ChannelInsufficientPermission",
      `Account ${ctx.principal.accountId} is not allowed to put audit events on channel ${channel.arn}.`,
    );
  if (channel.source !== "Custom")
    throw dataError(
      "ChannelUnsupportedSchema",
      `Channel ${channel.arn} does not accept custom audit events.`,
    );
  return channel;
}

async function putEvents(rt: LakeRuntime, channel: ChannelRecord, entries: AuditEventEntry[]) {
  const failed: Failure[] = [];
  const accepted: Array<{ id: string; draft: EventDraft }> = [];
  const now = new Date(rt.now());
  for (const entry of entries) {
    try {
      accepted.push({ id: entry.id, draft: auditEventDraft(entry, channel, now) });
    } catch (e) {
      if (!(e instanceof AuditEventError)) throw e;
      failed.push({ id: entry.id, errorCode: e.code, errorMessage: e.message });
    }
  }
  const successful: Array<{ id: string; eventID: string }> = [];
  if (accepted.length > 0) {
    try {
      const stored = await rt.opts.recordBatch(accepted.map((a) => a.draft));
      for (const [i, event] of stored.entries())
        successful.push({ id: (accepted[i] as { id: string }).id, eventID: event.eventID });
    } catch (e) {
      // The recorder appends all or nothing: if it refused the batch, every event failed.
      const message = e instanceof Error ? e.message : String(e);
      for (const a of accepted)
        failed.push({ id: a.id, errorCode: "InvalidData", errorMessage: message.slice(0, 1000) });
    }
  }
  noteIngestion(rt, channel, successful, failed, now.getTime());
  return { successful, failed };
}

function noteIngestion(
  rt: LakeRuntime,
  channel: ChannelRecord,
  successful: Array<{ eventID: string }>,
  failed: Failure[],
  at: number,
): void {
  const s = channel.ingestion;
  s.latestAttemptTime = at;
  s.latestAttemptEventId = successful.at(-1)?.eventID ?? s.latestAttemptEventId;
  if (successful.length > 0) {
    s.latestSuccessTime = at;
    s.latestSuccessEventId = successful.at(-1)?.eventID;
  }
  if (failed.length > 0) s.latestErrorCode = failed.at(-1)?.errorCode;
  rt.db.putRecord("channels", channel.id, channel);
}

function audit(channel: ChannelRecord | undefined): ServiceAudit {
  return {
    eventSource: "cloudtrail-data.amazonaws.com",
    isReadOnly: () => false,
    category: () => "Data",
    requestParameters: (_op, input) => JSON.parse(JSON.stringify(input)),
    responseElements: () => null,
    resources: () =>
      channel
        ? [{ accountId: channel.accountId, type: "AWS::CloudTrail::Channel", ARN: channel.arn }]
        : undefined,
  };
}

function internal(e: unknown, ctx: RequestContext, logger: Logger): AwsError {
  logger.error("internal failure", {
    requestId: ctx.requestId,
    error: e instanceof Error ? e.stack : String(e),
  });
  return CommonErrors.internal();
}
