import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import {
  CancelQueryCommand,
  type CloudTrailClient,
  DescribeQueryCommand,
  GetQueryResultsCommand,
  type GetQueryResultsCommandOutput,
  ListQueriesCommand,
  ListTrailsCommand,
  StartQueryCommand,
} from "@aws-sdk/client-cloudtrail";
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import type { CloudTrailEvent } from "../events/cloudtrail-event.js";
import { cloudTrailClient, s3TestClient, startTestServer, type TestServer } from "../test-support/server.js";
import { createStore, importAndWait, invictusFiles, invictusRecords, query, upload } from "./test-support.js";

/** `2023-07-10T11:42:18Z` as Lake prints it. */
const lakeTime = (t: string) => `${t.slice(0, 10)} ${t.slice(11, 19)}.000`;
const count = <K>(items: K[]) => items.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<K, number>());

describe("Lake queries through StartQuery/GetQueryResults", () => {
  let server: TestServer;
  let ct: CloudTrailClient;
  let s3: S3Client;
  let imported: { arn: string; id: string };
  let live: { arn: string; id: string };
  const records = invictusRecords();
  const q = (sql: string) => query(ct, server.app, sql);

  before(async () => {
    server = await startTestServer({
      OPENTRAIL_LAKE_QUERY_TIMEOUT: "3",
      OPENTRAIL_LAKE_RUNNING_QUERIES: "1",
    });
    ct = cloudTrailClient(server.url);
    s3 = s3TestClient(server.url);
    imported = await createStore(ct, "invictus", { RetentionPeriod: 3653, StartIngestion: false });
    await upload(s3, "lake-import", "invictus", invictusFiles());
    const result = await importAndWait(ct, server.app, imported.arn, "s3://lake-import/invictus");
    assert.equal(result.ImportStatus, "COMPLETED");
    live = await createStore(ct, "live");
  });
  after(async () => {
    await server?.stop();
  });

  it("sample query: who created buckets on a day (struct path, time window)", async () => {
    const { objects } = await q(`SELECT userIdentity.principalid, eventName FROM ${imported.id}
      WHERE userIdentity.principalid IS NOT NULL AND eventTime > '2023-07-10 00:00:00'
      AND eventTime < '2023-07-11 00:00:00' AND eventName='CreateBucket'`);
    const expected = records.filter((r) => r.eventName === "CreateBucket" && r.userIdentity?.principalId);
    assert.equal(objects.length, expected.length);
    assert.deepEqual(
      objects.map((o) => o.principalid).sort(),
      expected.map((r) => r.userIdentity?.principalId).sort(),
    );
  });

  it("sample query: API counts by source and name, most frequent first", async () => {
    const { objects } = await q(`SELECT eventSource, eventName, COUNT(*) AS apiCount FROM ${imported.id}
      WHERE eventTime > '2023-01-01 00:00:00' GROUP BY eventSource, eventName ORDER BY apiCount DESC`);
    const expected = count(records.map((r) => `${r.eventSource}|${r.eventName}`));
    assert.equal(objects.length, expected.size);
    for (const o of objects)
      assert.equal(Number(o.apiCount), expected.get(`${o.eventSource}|${o.eventName}`));
    const counts = objects.map((o) => Number(o.apiCount));
    assert.deepEqual(
      counts,
      [...counts].sort((a, b) => b - a),
    );
  });

  it("sample query: console logins by Region (IN list, lower-case column names)", async () => {
    const { objects } = await q(`SELECT eventTime, useridentity.arn, awsRegion FROM ${imported.id}
      WHERE awsRegion in ('us-east-1', 'us-west-2') AND eventName = 'ConsoleLogin'`);
    const expected = records.filter(
      (r) => r.eventName === "ConsoleLogin" && ["us-east-1", "us-west-2"].includes(r.awsRegion),
    );
    assert.deepEqual(
      objects.map((o) => `${o.eventTime}|${o.arn}|${o.awsRegion}`).sort(),
      expected.map((r) => `${lakeTime(r.eventTime)}|${r.userIdentity?.arn}|${r.awsRegion}`).sort(),
    );
  });

  it("sample queries: console login without MFA, top errors, trail configuration changes", async () => {
    const noMfa = await q(`SELECT eventTime, userIdentity.arn, sourceIPAddress FROM ${imported.id}
      WHERE eventsource = 'signin.amazonaws.com' AND eventname = 'ConsoleLogin'
      AND element_at(additionaleventdata, 'MFAUsed') = 'No'`);
    const mfaNo = records.filter(
      (r) => r.eventName === "ConsoleLogin" && r.additionalEventData?.MFAUsed === "No",
    );
    assert.equal(mfaNo.length, 1);
    assert.deepEqual(
      noMfa.objects.map((o) => o.sourceIPAddress),
      mfaNo.map((r) => r.sourceIPAddress),
    );

    const errors = await q(`SELECT errorCode, errorMessage, COUNT(*) AS eventCount FROM ${imported.id}
      WHERE eventTime > '2023-07-01 00:00:00' AND errorCode IS NOT NULL
      GROUP BY errorCode, errorMessage ORDER BY eventCount DESC LIMIT 10`);
    const byError = count(
      records.filter((r) => r.errorCode).map((r) => `${r.errorCode}|${r.errorMessage ?? ""}`),
    );
    const top = [...byError.values()].sort((a, b) => b - a).slice(0, 10);
    assert.deepEqual(
      errors.objects.map((o) => Number(o.eventCount)),
      top,
    );
    for (const o of errors.objects)
      assert.equal(Number(o.eventCount), byError.get(`${o.errorCode}|${o.errorMessage ?? ""}`));

    const changes = await q(`SELECT eventName, element_at(requestParameters, 'name') AS name,
      userIdentity.principalid, eventTime FROM ${imported.id}
      WHERE eventName IN ('CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging')`);
    const expected = records.filter((r) =>
      ["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"].includes(
        r.eventName ?? "",
      ),
    );
    assert.deepEqual(
      changes.objects.map((o) => `${o.eventName}|${o.name}|${o.eventTime}`).sort(),
      expected
        .map(
          (r) =>
            `${r.eventName}|${(r.requestParameters as Record<string, string>)?.name}|${lakeTime(r.eventTime)}`,
        )
        .sort(),
    );
  });

  it("flattened columns: nested paths, tlsDetails, resources array, eventJson", async () => {
    const { objects } = await q(`SELECT eventID, userIdentity.sessionContext.sessionIssuer.arn,
      tlsDetails.cipherSuite, cardinality(resources) AS nres, eventJson, readOnly FROM ${imported.id}`);
    assert.equal(objects.length, records.length);
    const byId = new Map(records.map((r) => [r.eventID, r]));
    for (const o of objects) {
      const r = byId.get(o.eventID as string) as CloudTrailEvent;
      assert.equal(o.arn ?? undefined, r.userIdentity?.sessionContext?.sessionIssuer?.arn);
      assert.equal(o.cipherSuite ?? undefined, r.tlsDetails?.cipherSuite);
      assert.equal(o.nres ?? undefined, r.resources ? String(r.resources.length) : undefined);
      assert.equal(o.readOnly ?? undefined, r.readOnly === undefined ? undefined : String(r.readOnly));
      assert.equal(JSON.parse(o.eventJson as string).eventID, r.eventID);
    }
  });

  it("Trino functions as Lake users write them", async () => {
    const { objects } = await q(`SELECT count(*) AS n,
      count_if(json_extract_scalar(element_at(requestParameters, 'filter'), '$.key') IS NOT NULL) AS k,
      min(date_add('day', 1, eventTime)) AS plus, max(day_of_week(eventTime)) AS dow,
      min(date_trunc('hour', eventTime)) AS hour, min(from_iso8601_timestamp('2023-07-10T00:00:00Z')) AS t
      FROM ${imported.id} WHERE eventTime >= from_iso8601_timestamp('2023-07-10T00:00:00Z')`);
    const first = records.map((r) => r.eventTime).sort()[0] as string;
    assert.equal(objects[0]?.n, String(records.length));
    assert.equal(objects[0]?.plus, lakeTime(`2023-07-11${first.slice(10)}`));
    assert.equal(objects[0]?.dow, "1"); // 10 July 2023 was a Monday
    assert.equal(objects[0]?.hour, `${first.slice(0, 10)} ${first.slice(11, 13)}:00:00.000`);
    assert.equal(objects[0]?.t, "2023-07-10 00:00:00.000 UTC");
  });

  it("recorded calls are queryable within seconds; StartQuery's own records via element_at", async () => {
    const marker = await ct.send(new ListTrailsCommand({}));
    const first = await q(`SELECT eventName, count(*) AS c FROM ${live.id} GROUP BY eventName`);
    assert.ok(first.rows.length >= 0);
    await server.app.lake.caughtUp(live.id, server.app.log.endSeq);
    const { objects } =
      await q(`SELECT element_at(responseElements, 'queryId'), element_at(requestParameters, 'queryStatement')
      FROM ${live.id} WHERE eventName='StartQuery' AND eventSource = 'cloudtrail.amazonaws.com'
      AND responseElements IS NOT NULL AND eventTime > '2020-01-01 00:00:00'`);
    assert.ok(
      objects.some((o) => o._col0 === first.queryId && String(o._col1).includes("GROUP BY eventName")),
    );
    const requestIds = await q(`SELECT requestID FROM ${live.id} WHERE eventName = 'ListTrails'`);
    assert.ok(requestIds.objects.some((o) => o.requestID === marker.$metadata.requestId));
  });

  it("multi-store UNION; rows in CloudTrail's shape; paging with NextToken", async () => {
    const sql = `SELECT eventID, eventName FROM ${imported.id} UNION ALL SELECT eventID, eventName FROM ${live.id}`;
    const { QueryId } = await ct.send(new StartQueryCommand({ QueryStatement: sql }));
    await server.app.lake.settled(QueryId as string);
    const page1 = await ct.send(new GetQueryResultsCommand({ QueryId, MaxQueryResults: 1000 }));
    assert.equal(page1.QueryStatistics?.ResultsCount, 1000);
    assert.ok((page1.QueryStatistics?.TotalResultsCount ?? 0) > records.length);
    assert.ok(page1.NextToken);
    const row = page1.QueryResultRows?.[0] ?? [];
    assert.deepEqual(
      row.map((c) => Object.keys(c)),
      [["eventID"], ["eventName"]],
    );
    let total = page1.QueryResultRows?.length ?? 0;
    let token: string | undefined = page1.NextToken;
    while (token) {
      const page: GetQueryResultsCommandOutput = await ct.send(
        new GetQueryResultsCommand({ QueryId, NextToken: token, MaxQueryResults: 1000 }),
      );
      total += page.QueryResultRows?.length ?? 0;
      token = page.NextToken;
    }
    assert.equal(total, page1.QueryStatistics?.TotalResultsCount);
    await assert.rejects(
      ct.send(new GetQueryResultsCommand({ QueryId, MaxQueryResults: 1001 })),
      (e: Error) => e.name === "InvalidMaxResultsException",
    );
    await assert.rejects(
      ct.send(new GetQueryResultsCommand({ QueryId, NextToken: "bm9wZTox" })),
      (e: Error) => e.name === "InvalidNextTokenException",
    );
    const d = await ct.send(new DescribeQueryCommand({ QueryId }));
    assert.equal(d.QueryStatus, "FINISHED");
    assert.ok((d.QueryStatistics?.EventsScanned ?? 0) >= records.length);
    assert.ok((d.QueryStatistics?.BytesScanned ?? 0) > 0);
    const listed = await ct.send(
      new ListQueriesCommand({ EventDataStore: imported.arn, QueryStatus: "FINISHED" }),
    );
    assert.ok(listed.Queries?.some((x) => x.QueryId === QueryId));
  });

  it("cancel, timeout with partial results, 10 concurrent queries", async () => {
    const slow = `SELECT count(*) FROM ${imported.id} a, ${imported.id} b, ${imported.id} c
      WHERE a.eventName || b.eventName < c.eventName`;
    const started = await ct.send(new StartQueryCommand({ QueryStatement: slow }));
    const cancelled = await ct.send(new CancelQueryCommand({ QueryId: started.QueryId }));
    assert.equal(cancelled.QueryStatus, "CANCELLED");
    await server.app.lake.settled(started.QueryId as string);
    const after = await ct.send(new DescribeQueryCommand({ QueryId: started.QueryId }));
    assert.equal(after.QueryStatus, "CANCELLED");
    await assert.rejects(
      ct.send(new CancelQueryCommand({ QueryId: started.QueryId })),
      (e: Error) => e.name === "InactiveQueryException",
    );

    const ids: string[] = [];
    for (let i = 0; i < 10; i++)
      ids.push((await ct.send(new StartQueryCommand({ QueryStatement: slow }))).QueryId as string);
    await assert.rejects(
      ct.send(new StartQueryCommand({ QueryStatement: slow })),
      (e: Error) => e.name === "MaxConcurrentQueriesException" && /10/.test(e.message),
    );
    for (const id of ids.slice(1)) await ct.send(new CancelQueryCommand({ QueryId: id }));
    await server.app.lake.settled(ids[0] as string);
    const timedOut = await ct.send(new GetQueryResultsCommand({ QueryId: ids[0] }));
    assert.equal(timedOut.QueryStatus, "TIMED_OUT");
    assert.match(timedOut.ErrorMessage ?? "", /time limit/);
    await assert.rejects(
      ct.send(new DescribeQueryCommand({ QueryId: "00000000-0000-0000-0000-000000000000" })),
      (e: Error) => e.name === "QueryIdNotFoundException",
    );
  });

  it("DeliveryS3Uri writes gzip CSV results to the bucket; a missing bucket is refused", async () => {
    const { QueryId } = await ct.send(
      new StartQueryCommand({
        QueryStatement: `SELECT eventName, count(*) AS n FROM ${imported.id} GROUP BY eventName ORDER BY n DESC LIMIT 3`,
        DeliveryS3Uri: "s3://lake-import/results",
      }),
    );
    await server.app.lake.settled(QueryId as string);
    for (let i = 0; i < 50; i++) {
      const d = await ct.send(new DescribeQueryCommand({ QueryId }));
      if (d.DeliveryStatus === "SUCCESS") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const listing = await s3.send(new ListObjectsV2Command({ Bucket: "lake-import", Prefix: "results/" }));
    const key = listing.Contents?.find((o) => o.Key?.includes(QueryId as string))?.Key as string;
    assert.match(
      key,
      /^results\/AWSLogs\/123456789012\/CloudTrail-Lake\/Query\/\d{4}\/\d{2}\/\d{2}\/.+\/result_1\.csv\.gz$/,
    );
    const body = await s3.send(new GetObjectCommand({ Bucket: "lake-import", Key: key }));
    const csv = gunzipSync(Buffer.from((await body.Body?.transformToByteArray()) ?? [])).toString();
    assert.equal(csv.split("\n")[0], "eventName,n");
    await assert.rejects(
      ct.send(
        new StartQueryCommand({
          QueryStatement: `SELECT 1 FROM ${imported.id}`,
          DeliveryS3Uri: "s3://no-such-bucket-x",
        }),
      ),
      (e: Error) => e.name === "S3BucketDoesNotExistException",
    );
  });
});
