import { existsSync, readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import type { RawResponse } from "./raw-http.js";

/** Where `npm run build` writes the console bundle (src/console/build.ts), from src/ or dist/. */
export const CONSOLE_DIR = new URL("../../dist/console/public/", import.meta.url).pathname;

const FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/console/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/console/app.css": { file: "app.css", type: "text/css; charset=utf-8" },
};

// The console talks only to this origin and runs no inline code.
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache",
};

interface Asset {
  type: string;
  raw: Buffer;
  gzip: Buffer;
  etag: string;
}

/**
 * The web console's static files, answered to unsigned GET/HEAD requests for `/` and
 * `/console/*` (every API call the console makes is SigV4-signed and routed as usual). Files
 * are read and gzipped once, on first use; an unbuilt checkout answers 404 with the fix.
 */
export function consoleFiles(
  dir = CONSOLE_DIR,
): (path: string, headers: Record<string, string>) => RawResponse | undefined {
  const cache = new Map<string, Asset>();
  const load = (path: string): Asset | undefined => {
    const spec = FILES[path];
    if (!spec) return undefined;
    let asset = cache.get(path);
    if (!asset && existsSync(dir + spec.file)) {
      const raw = readFileSync(dir + spec.file);
      const gzip = gzipSync(raw, { level: 9 });
      asset = { type: spec.type, raw, gzip, etag: `"${raw.length.toString(36)}-${hash(raw)}"` };
      cache.set(path, asset);
    }
    return asset;
  };
  return (path, headers) => {
    if (path !== "/" && !path.startsWith("/console/")) return undefined;
    const asset = load(path);
    if (!asset) {
      const missing = FILES[path] ? "The console is not built: run `npm run build`." : "Not found.";
      return {
        status: 404,
        headers: { "content-type": "text/plain; charset=utf-8" },
        body: Buffer.from(missing),
      };
    }
    const out: Record<string, string> = Object.assign(
      { "content-type": asset.type, etag: asset.etag, vary: "accept-encoding" },
      SECURITY_HEADERS,
    );
    if (headers["if-none-match"] === asset.etag) return { status: 304, headers: out };
    if (/\bgzip\b/.test(headers["accept-encoding"] ?? "")) {
      out["content-encoding"] = "gzip";
      return { status: 200, headers: out, body: asset.gzip };
    }
    return { status: 200, headers: out, body: asset.raw };
  };
}

function hash(b: Buffer): string {
  let h = 2166136261;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ (b[i] as number), 16777619);
  return (h >>> 0).toString(36);
}
