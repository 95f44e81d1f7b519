import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { ADMIN } from "../../test-support/fixtures.js";
import { REPO_ROOT } from "../../test-support/server.js";

/** Debian's chromium (`apt-get install chromium`; .ci/run installs it), or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(REPO_ROOT, "test-artifacts/console");

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  // playwright-core gives every launch a fresh --user-data-dir of its own.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: 60_000,
  });
}

/** Saves a full-page screenshot under test-artifacts/console (CI keeps them as artifacts). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Signs in through the form with the admin key pair. */
export async function signIn(page: Page, url: string, keys = ADMIN): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel("Access key ID").fill(keys.accessKeyId);
  await page.getByLabel("Secret access key").fill(keys.secretAccessKey);
  await page.getByRole("button", { name: "Sign in" }).click();
}
