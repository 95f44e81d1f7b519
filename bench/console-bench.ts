import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { resolveConfig } from "../src/config/config.js";
import { silentLogger } from "../src/config/logger.js";
import { buildConsole } from "../src/console/build.js";
import { launchChromium, signIn } from "../src/console/test-support/browser.js";
import { HistoryIndex } from "../src/history/index.js";
import { EventLog } from "../src/log/index.js";
import { startOpenTrail } from "../src/main.js";
import { CONSOLE_DIR } from "../src/server/console-files.js";
import { ADMIN, writeIdentitiesFile } from "../src/test-support/fixtures.js";
import { createEventGenerator } from "./support/event-generator.js";
import { median, printTable } from "./support/stats.js";

const TARGETS = { renderMs: 500, gzipBytes: 300 * 1024 };
const RUNS = 7;

/** `count` generated events of the admin's account over the last 30 days, logged and indexed offline. */
async function seedHistory(dataDir: string, count: number): Promise<void> {
  const end = Date.now();
  const events = createEventGenerator({
    count,
    seed: 9,
    start: new Date(end - 30 * 86_400_000),
    end: new Date(end),
    accounts: [ADMIN.accountId],
  });
  const log = await EventLog.open({ dir: join(dataDir, "log"), fsync: false });
  const index = HistoryIndex.open({ path: join(dataDir, "history.db") });
  try {
    for (let done = 0; done < count; done += 1024) {
      const payloads = Array.from({ length: Math.min(1024, count - done) }, () =>
        Buffer.from(JSON.stringify(events.next())),
      );
      const seqs = await log.appendBatch(payloads);
      index.apply(payloads.map((payload, i) => ({ seq: seqs[i] as number, payload })));
    }
    index.flush();
  } finally {
    index.close();
    await log.close();
  }
}

/** The same-run baseline: a bare node:http page with a 50-row table, no JS, no API. */
async function bareTablePage(): Promise<{ url: string; close: () => void }> {
  const rows = Array.from(
    { length: 50 },
    (_, i) => `<tr><td>2026-01-01 00:00:${i}Z</td><td>user</td><td>Event${i}</td></tr>`,
  ).join("");
  const html = Buffer.from(`<!doctype html><title>t</title><table><tbody>${rows}</tbody></table>`);
  const server = createServer((_req, res) => res.end(html));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

/**
 * The console's first paint of real data: navigation to #/history (signed in, cold page) until
 * the event history table shows 50 rows, on a server with `events` events; next to a bare
 * 50-row static page in the same browser. Also the gzip size of everything the first load fetches.
 */
export async function benchConsole(opts: { events?: number } = {}): Promise<Record<string, unknown>> {
  const count = opts.events ?? 1_000_000;
  const dir = mkdtempSync(join(tmpdir(), "opentrail-bench-console-"));
  const dataDir = join(dir, "data");
  await buildConsole();
  const gzip = ["index.html", "app.js", "app.css"].reduce(
    (n, f) => n + gzipSync(readFileSync(CONSOLE_DIR + f), { level: 9 }).length,
    0,
  );
  const t0 = performance.now();
  await seedHistory(dataDir, count);
  const seedSeconds = (performance.now() - t0) / 1000;
  const config = resolveConfig(
    { port: 0, host: "127.0.0.1", data: dataDir, identities: writeIdentitiesFile(dir) },
    { OPENTRAIL_LOG_LEVEL: "silent" },
  );
  const app = await startOpenTrail(config, silentLogger);
  const browser = await launchChromium();
  const bare = await bareTablePage();
  try {
    const page = await browser.newPage();
    await signIn(page, app.url);
    await page.locator("tbody tr").nth(49).waitFor({ timeout: 120_000 });
    const consoleMs: number[] = [];
    const bareMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto("about:blank");
      let start = performance.now();
      await page.goto(`${app.url}/#/history?range=2592000`);
      await page.locator("tbody tr").nth(49).waitFor();
      consoleMs.push(performance.now() - start);
      start = performance.now();
      await page.goto(bare.url);
      await page.locator("tbody tr").nth(49).waitFor();
      bareMs.push(performance.now() - start);
    }
    const c = median(consoleMs);
    const b = median(bareMs);
    const result = {
      events: count,
      "seeding (log + history index, offline) s": seedSeconds.toFixed(1),
      "navigation → 50-row history table, median ms": `${c.toFixed(0)} (runs: ${consoleMs.map((x) => x.toFixed(0)).join(", ")}); target <= ${TARGETS.renderMs}`,
      "baseline: static 50-row page, median ms": `${b.toFixed(0)} (runs: ${bareMs.map((x) => x.toFixed(0)).join(", ")})`,
      "console / baseline": (c / b).toFixed(1),
      "first load, gzip bytes (html + js + css)": `${gzip}; target <= ${TARGETS.gzipBytes}`,
    };
    printTable(`Web console (${count} events)`, result);
    return result;
  } finally {
    bare.close();
    await browser.close();
    await app.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
