import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import {
  CreateTrailCommand,
  DescribeTrailsCommand,
  GetQueryResultsCommand,
  GetTrailStatusCommand,
  ListInsightsMetricDataCommand,
} from "@aws-sdk/client-cloudtrail";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import type { Browser, Locator, Page } from "playwright-core";
import { ADMIN, ROLE_NAME } from "../test-support/fixtures.js";
import { cloudTrailClient, startTestServer, stsTestClient, type TestServer } from "../test-support/server.js";
import { buildConsole } from "./build.js";
import { launchChromium, screenshot, signIn } from "./test-support/browser.js";
import { BURST_USER, recordInsightTraffic } from "./test-support/insight-traffic.js";

/** Waits until the console's route (location.hash) contains `part`. */
const hash = (page: Page, part: string) =>
  page.waitForFunction((p) => (globalThis as unknown as Browserish).location.hash.includes(p), part);

/** The few browser globals these tests read inside the page (the tests compile without DOM types). */
interface Browserish {
  location: { hash: string };
  document: { querySelector(s: string): { textContent: string | null } | null };
  sessionStorage: object;
  localStorage: object;
}

/** The text as rendered, cells separated by tabs and rows by newlines (what a person reads). */
// biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText, the rendered text.
const shown = (l: Locator) => l.innerText();

const ROLE_SESSION = "console-e2e";
const BUCKET = "console-history-bucket";

/**
 * The web console end to end: a real server, the console bundle built as `npm run build` builds
 * it, and Debian's headless Chromium driven by playwright-core. One browser and one page for the
 * whole file (launching Chromium is the slow part); each test leaves the page signed in.
 */
describe("web console", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  /** Uncaught errors in the console's code: any is a failure. */
  const pageErrors: string[] = [];
  let burstStart = 0;
  let stopped = false;

  before(async () => {
    const [s, b] = await Promise.all([
      startTestServer({
        OPENTRAIL_DELIVERY_INTERVAL: "1",
        OPENTRAIL_INSIGHTS_CLOCK: "events",
        OPENTRAIL_INSIGHTS_BASELINE_DAYS: "0.05",
      }),
      launchChromium(),
      buildConsole(),
    ]);
    server = s;
    browser = b;
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (e) => pageErrors.push(e.message));
    // First, before any API call moves the Insights analyzer's event clock.
    burstStart = await recordInsightTraffic(server.app);
    // Events made outside the console, by an assumed-role session with a resource.
    const sts = stsTestClient(server.url);
    const role = await sts.send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${ADMIN.accountId}:role/${ROLE_NAME}`,
        RoleSessionName: ROLE_SESSION,
      }),
    );
    sts.destroy();
    const c = role.Credentials;
    const s3 = new S3Client({
      endpoint: server.url,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: {
        accessKeyId: c?.AccessKeyId ?? "",
        secretAccessKey: c?.SecretAccessKey ?? "",
        sessionToken: c?.SessionToken,
      },
      maxAttempts: 1,
    });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    s3.destroy();
  });

  after(async () => {
    assert.deepEqual(pageErrors, []);
    await browser?.close();
    if (!stopped) await server?.stop();
  });

  test("serves the console at / without signing; assets are gzipped", async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
    assert.match(await res.text(), /\/console\/app\.js/);
    const js = await fetch(`${server.url}/console/app.js`, { headers: { "accept-encoding": "gzip" } });
    assert.equal(js.status, 200);
    assert.equal((await fetch(`${server.url}/console/nope.js`)).status, 404);
    // A signed or unsigned API call on / is still the API's.
    const api = await fetch(`${server.url}/`, { method: "POST" });
    assert.notEqual(api.status, 200);
  });

  test("sign in, filter history by user then by resource, open an event", async () => {
    await signIn(page, server.url);
    await page.getByRole("heading", { name: "Event history" }).waitFor();
    // The console's own calls are recorded: its GetCallerIdentity and LookupEvents.
    await page.locator("tbody tr").first().waitFor();
    await screenshot(page, "01-history");
    await page.getByLabel("Value 1", { exact: true }).fill(ROLE_SESSION);
    await page.getByLabel("Lookup attribute 1", { exact: true }).selectOption("Username");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await hash(page, "Username=console-e2e");
    const row = page.locator("tbody tr", { hasText: "CreateBucket" });
    await row.waitFor();
    assert.deepEqual(
      await page.locator("tbody tr td:nth-child(2)").allInnerTexts(),
      Array(await page.locator("tbody tr").count()).fill(ROLE_SESSION),
    );
    await row.getByRole("button", { name: `arn:aws:s3:::${BUCKET}` }).click();
    await hash(page, `ResourceName=${encodeURIComponent(`arn:aws:s3:::${BUCKET}`)}`);
    await page.locator("tbody tr", { hasText: "CreateBucket" }).waitFor();
    for (const text of await page.locator("tbody tr td:nth-child(5)").allInnerTexts())
      assert.match(text, new RegExp(BUCKET));
    await page
      .locator("tbody tr", { hasText: "CreateBucket" })
      .getByRole("button", { name: "CreateBucket" })
      .click();
    const detail = page.getByRole("complementary", { name: "Event details" });
    await detail.waitFor();
    const json = JSON.parse(await shown(detail.getByLabel("Event record (JSON)"))) as Record<string, unknown>;
    assert.equal(json.eventName, "CreateBucket");
    assert.equal((json.requestParameters as Record<string, unknown>).bucketName, BUCKET);
    await screenshot(page, "02-history-detail");
  });

  test("trails: API validation message, create with a new bucket, first delivery, stop, delete", async () => {
    const ct = cloudTrailClient(server.url);
    try {
      await page.getByRole("link", { name: "Trails" }).click();
      await page.getByText("No trails yet").waitFor();
      await page.getByRole("button", { name: "Create trail" }).click();
      const form = page.getByRole("form", { name: "Create trail" });
      // The API's own validation message, next to the field it is about.
      await form.getByLabel("Trail name").fill("-bad name");
      await form.getByLabel("S3 bucket").fill("console-trail-logs");
      await form.getByRole("button", { name: "Create trail" }).click();
      const apiError = await ct
        .send(new CreateTrailCommand({ Name: "-bad name", S3BucketName: "console-trail-logs" }))
        .then(
          () => assert.fail("CreateTrail accepted a bad name"),
          (e: Error) => e,
        );
      await form.getByText(`${apiError.name}: ${apiError.message}`).waitFor();
      assert.equal(await form.getByLabel("Trail name").getAttribute("aria-invalid"), "true");
      await form.getByLabel("Trail name").fill("console-trail");
      await form.getByLabel("Create this bucket with CloudTrail's bucket policy").check();
      await form.getByRole("button", { name: "Create trail" }).click();
      const row = page.locator("tr[data-trail=console-trail]");
      await row.getByText("Logging", { exact: true }).waitFor();
      const { trailList = [] } = await ct.send(new DescribeTrailsCommand({}));
      assert.deepEqual(
        trailList.map((t) => [t.Name, t.S3BucketName, t.IsMultiRegionTrail, t.LogFileValidationEnabled]),
        [["console-trail", "console-trail-logs", true, true]],
      );
      // The first delivery shows up (the page refreshes itself every 5 s).
      await page.waitForFunction(
        () =>
          (globalThis as unknown as Browserish).document.querySelector(
            "tr[data-trail=console-trail] .last-delivery",
          )?.textContent !== "never",
        undefined,
        { timeout: 30_000 },
      );
      assert.ok((await ct.send(new GetTrailStatusCommand({ Name: "console-trail" }))).LatestDeliveryTime);
      await screenshot(page, "03-trails");
      await row.getByRole("button", { name: "Stop logging console-trail" }).click();
      await row.getByText("Stopped", { exact: true }).waitFor();
      assert.equal((await ct.send(new GetTrailStatusCommand({ Name: "console-trail" }))).IsLogging, false);
      await row.getByRole("button", { name: "Start logging console-trail" }).click();
      await row.getByText("Logging", { exact: true }).waitFor();
      // Delete asks first; Cancel keeps the trail.
      await row.getByRole("button", { name: "Delete console-trail" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
      assert.equal((await ct.send(new DescribeTrailsCommand({}))).trailList?.length, 1);
    } finally {
      ct.destroy();
    }
  });

  test("dashboard: events by category, top users and error codes, trail health", async () => {
    await page.getByRole("link", { name: "Dashboard" }).click();
    const users = page.getByRole("table", { name: "Top users" });
    await users.waitFor();
    assert.match(await shown(users), new RegExp(`${ADMIN.userName}\\s+\\d+`));
    await page.getByRole("img", { name: /^Events per hour/ }).waitFor();
    const health = page.getByRole("table", { name: "Trail delivery health" });
    await health.getByText("console-trail").waitFor();
    assert.match(await shown(health), /console-trail\s+Healthy/);
    // The trail form's bad name failed: its error code is among the top ones.
    assert.match(
      await shown(page.getByRole("table", { name: "Top error codes" })),
      /InvalidTrailNameException/,
    );
    await screenshot(page, "04-dashboard");
  });

  test("lake: a sample query's results, chart and CSV match GetQueryResults", async () => {
    const ct = cloudTrailClient(server.url);
    try {
      await page.getByRole("link", { name: "Lake" }).click();
      await page
        .getByRole("table", { name: "Event data stores" })
        .getByRole("cell", { name: "management", exact: true })
        .waitFor();
      await page.getByRole("button", { name: "Most called APIs" }).click();
      assert.match(
        await page.getByLabel(/^SQL/).inputValue(),
        /^SELECT eventSource, eventName, COUNT\(\*\) AS apiCount FROM [0-9a-f-]+ /,
      );
      await page.getByRole("button", { name: "Events per hour" }).click();
      await page.getByRole("button", { name: "Run query" }).click();
      await page.getByText(/Query [0-9a-f-]+: FINISHED/).waitFor({ timeout: 60_000 });
      const queryId =
        /Query ([0-9a-f-]+):/.exec(await shown(page.getByText(/Query [0-9a-f-]+: FINISHED/)))?.[1] ?? "";
      const results = page.getByRole("table", { name: "Query results, page 1" });
      await results.waitFor();
      const api = await ct.send(new GetQueryResultsCommand({ QueryId: queryId }));
      const expected = (api.QueryResultRows ?? []).map((r) => r.map((c) => Object.values(c)[0]));
      const cells = await results
        .locator("tbody tr")
        .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
      assert.ok(expected.length >= 2, `${expected.length} hours`);
      assert.deepEqual(cells, expected);
      await page.getByRole("img", { name: "events by hour" }).waitFor();
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("button", { name: "Export CSV" }).click(),
      ]);
      const text = readFileSync((await download.path()) as string, "utf8");
      assert.equal(text, `${["hour,events", ...expected.map((r) => r.join(","))].join("\r\n")}\r\n`);
      // The query is in the history with its statistics.
      const history = page.getByRole("table", { name: "Recent queries on this event data store" });
      await history.getByRole("button", { name: queryId }).waitFor();
      assert.match(await shown(history.locator("tr", { hasText: queryId })), /FINISHED/);
      await screenshot(page, "05-lake");
    } finally {
      ct.destroy();
    }
  });

  test("insights: a closed Insight with its rate chart, shaded window and attributions", async () => {
    await page.getByRole("link", { name: "Insights" }).click();
    const card = page.getByRole("article", { name: "RunInstances ApiCallRateInsight" });
    await card.waitFor();
    assert.match(await shown(card), /Closed/);
    const chart = card.getByRole("img", { name: /RunInstances rate per minute/ });
    await chart.waitFor();
    assert.equal(await chart.locator("rect.shade").count(), 1);
    assert.equal(await chart.locator("line.baseline").count(), 1);
    // The chart plots ListInsightsMetricData's points.
    const ct = cloudTrailClient(server.url);
    const data = await ct.send(
      new ListInsightsMetricDataCommand({
        EventSource: "ec2.amazonaws.com",
        EventName: "RunInstances",
        InsightType: "ApiCallRateInsight",
        StartTime: new Date(burstStart - 30 * 60_000),
        EndTime: new Date(),
        Period: 60,
        DataType: "FillWithZeros",
      }),
    );
    ct.destroy();
    assert.ok(Math.max(...(data.Values ?? [])) >= 30);
    const path = (await chart.locator("path.series").getAttribute("d")) ?? "";
    assert.ok((path.match(/[ML]/g) ?? []).length >= 30, "one point per minute");
    assert.match(await shown(card.getByRole("table", { name: "Top users" })), new RegExp(BURST_USER));
    await screenshot(page, "06-insights");
  });

  test("errors: refused credentials and a stopped server are said plainly", async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await signIn(page, server.url, Object.assign({}, ADMIN, { secretAccessKey: "wrong-secret" }));
    await page
      .getByRole("alert")
      .getByText(/refused your credentials/)
      .waitFor();
    assert.equal(await page.getByLabel("Access key ID").isVisible(), true);
    await screenshot(page, "07-refused");
    await signIn(page, server.url);
    await page.getByRole("heading", { name: "Event history" }).waitFor();
    // Nothing secret in storage: only the day's derived signing keys, in this tab's session.
    const stored = await page.evaluate(() => {
      const w = globalThis as unknown as Browserish;
      return JSON.stringify(Object.assign({}, w.sessionStorage, w.localStorage));
    });
    assert.ok(!stored.includes(ADMIN.secretAccessKey));
    await server.stop();
    stopped = true;
    await page.getByRole("link", { name: "Trails" }).click();
    await page
      .getByRole("alert")
      .getByText(/Cannot reach the OpenTrail server/)
      .waitFor();
    await screenshot(page, "08-server-down");
  });
});
