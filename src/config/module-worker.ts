import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * A worker thread running the module `name` (no extension) that sits beside the module at
 * `callerUrl` (its `import.meta.url`): the compiled `.js` beside compiled code, the `.ts`
 * source beside a source.
 */
export function startSiblingWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  const ext = callerUrl.endsWith(".ts") ? ".ts" : ".js";
  return startModuleWorker(new URL(`./${name}${ext}`, callerUrl), options);
}

/**
 * A worker thread running the module at `url`. Compiled code (dist/) is loaded as it is; a
 * TypeScript source (the tests and benches run from the sources through tsx) is loaded after
 * the worker registers tsx itself, since Node 20 workers do not inherit their parent's
 * `--import tsx`.
 */
export function startModuleWorker(url: URL, options: WorkerOptions = {}): Worker {
  if (!url.pathname.endsWith(".ts")) return new Worker(url, options);
  const source = `import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})
    .then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(source, Object.assign({}, options, { eval: true }));
}
