#!/usr/bin/env node
// Runs the compiled CLI; `npm install` builds it (the `prepare` script).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const compiled = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
if (!existsSync(compiled)) {
  process.stderr.write("opentrail: not built yet; run `npm install` (or `npm run build`) first\n");
  process.exit(1);
}
await import(compiled);
