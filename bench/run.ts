import { cpus, totalmem } from "node:os";

/**
 * `npm run bench`: every benchmark, each printing its figures next to a baseline measured in the
 * same run on the same machine. Pick some with `npm run bench -- log api`.
 */
const suites: Record<string, () => Promise<unknown>> = {
  log: async () => (await import("./log-bench.js")).benchLog(),
  recorder: async () => (await import("./recorder-bench.js")).benchRecorder(),
  api: async () => (await import("./api-bench.js")).benchApi(),
  history: async () => (await import("./history-bench.js")).benchHistory(),
  s3: async () => (await import("./s3-bench.js")).benchS3(),
  trails: async () => (await import("./trails-bench.js")).benchTrails(),
  lake: async () => (await import("./lake-bench.js")).benchLake(),
  gateway: async () => (await import("./gateway-bench.js")).benchGateway(),
  insights: async () => (await import("./insights-bench.js")).benchInsights(),
  console: async () => (await import("./console-bench.js")).benchConsole(),
};

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(suites);
console.log(`# OpenTrail benchmarks — ${new Date().toISOString()}`);
console.log(
  `# node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? "?"}), ${Math.round(totalmem() / 2 ** 30)} GiB`,
);
const results: Record<string, unknown> = {};
for (const name of names) {
  const suite = suites[name];
  if (!suite) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(suites).join(", ")}`);
    process.exit(2);
  }
  try {
    results[name] = await suite();
  } catch (e) {
    console.error(`benchmark ${name} failed:`, e);
    process.exitCode = 1;
  }
}
