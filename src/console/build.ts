import { copyFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { CONSOLE_DIR } from "../server/console-files.js";

const APP = new URL("../../src/console/app/", import.meta.url).pathname;

/**
 * Bundles the browser console (src/console/app) into one minified script and stylesheet next to
 * its index.html, where the server's console-files serve them. esbuild comes with tsx.
 */
export async function buildConsole(outDir = CONSOLE_DIR): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { app: `${APP}main.ts` },
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2020",
    platform: "browser",
    legalComments: "none",
    outdir: outDir,
    logLevel: "warning",
  });
  await build({
    entryPoints: { app: `${APP}app.css` },
    bundle: true,
    minify: true,
    outdir: outDir,
    logLevel: "warning",
  });
  copyFileSync(`${APP}index.html`, `${outDir}index.html`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildConsole();
