#!/usr/bin/env node
// tsc copies no data files: put the vendored service models (and other *.json assets read at
// run time) next to the compiled code.
import { cpSync } from "node:fs";

cpSync("src/protocol/models", "dist/protocol/models", { recursive: true });
