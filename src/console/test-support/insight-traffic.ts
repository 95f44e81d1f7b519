import type { OpenTrail } from "../../main.js";
import type { EventDraft } from "../../recorder/event-sink.js";
import type { RequestContext } from "../../server/request-context.js";
import { ADMIN } from "../../test-support/fixtures.js";

const MINUTE = 60_000;
export const BURST_USER = `arn:aws:iam::${ADMIN.accountId}:user/burst-bot`;

function context(): RequestContext {
  return {
    requestId: "console-test-setup",
    principal: {
      type: "IAMUser",
      accountId: ADMIN.accountId,
      arn: `arn:aws:iam::${ADMIN.accountId}:user/${ADMIN.userName}`,
      principalId: "AIDAOPENTRAILCI",
      accessKeyId: ADMIN.accessKeyId,
      userName: ADMIN.userName,
      admin: true,
    },
    region: "us-east-1",
    service: "cloudtrail",
    sourceIPAddress: "127.0.0.1",
    userAgent: "console-test",
    receivedAt: new Date(),
  };
}

function call(atMs: number, user: string): EventDraft {
  return {
    eventTime: new Date(atMs).toISOString().replace(/\.\d+Z$/, "Z"),
    eventSource: "ec2.amazonaws.com",
    eventName: "RunInstances",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7",
    userAgent: "burst-agent/1.0",
    userIdentity: {
      type: "IAMUser",
      principalId: "AIDABURST",
      arn: user,
      accountId: ADMIN.accountId,
      userName: user.split("/").pop(),
    },
    requestParameters: null,
    responseElements: null,
    requestID: `req-${atMs}`,
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ADMIN.accountId,
    eventCategory: "Management",
  } as EventDraft;
}

/**
 * One closed ApiCallRateInsight, made before any API call moves the analyzer's event clock
 * (OPENTRAIL_INSIGHTS_CLOCK=events, a 0.05-day baseline): Insights are switched on for an event
 * data store through the handlers directly (unrecorded, so the clock stays put), then 90 minutes
 * of one RunInstances a minute, a 4-minute burst of 30 a minute, and quiet minutes after it,
 * all stamped in the past hours. Returns the burst's start.
 */
export async function recordInsightTraffic(app: OpenTrail): Promise<number> {
  const ctx = context();
  const source = await app.lake.handlers.CreateEventDataStore({ Name: "management" }, ctx);
  const destination = await app.lake.handlers.CreateEventDataStore(
    {
      Name: "insights",
      AdvancedEventSelectors: [{ FieldSelectors: [{ Field: "eventCategory", Equals: ["Insight"] }] }],
    },
    ctx,
  );
  await app.insights.handlers.PutInsightSelectors(
    {
      EventDataStore: source.EventDataStoreArn,
      InsightsDestination: destination.EventDataStoreArn,
      InsightSelectors: [{ InsightType: "ApiCallRateInsight" }],
    },
    ctx,
  );
  const t0 = Math.floor(Date.now() / MINUTE) * MINUTE;
  const burstStart = t0 - 40 * MINUTE;
  const drafts: EventDraft[] = [];
  for (let m = t0 - 130 * MINUTE; m < t0 - 2 * MINUTE; m += MINUTE) {
    const burst = m >= burstStart && m < burstStart + 4 * MINUTE;
    drafts.push(call(m + 10_000, `arn:aws:iam::${ADMIN.accountId}:user/steady`));
    if (burst) for (let i = 0; i < 30; i++) drafts.push(call(m + 12_000 + i * 1000, BURST_USER));
  }
  await app.recorder.recordBatch(drafts);
  await app.insights.caughtUp(app.log.endSeq);
  await app.insights.flush();
  return burstStart;
}
