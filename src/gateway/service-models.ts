/**
 * AWS's service models as data, from the `aws-sdk` (v2) npm package: `apis/<name>-<version>.min.json`
 * holds, for every AWS service, the same operations and shapes as botocore's service-2.json
 * without documentation. The gateway reads only the `metadata` head of each file at start-up
 * to index models by SigV4 signing name, and parses a whole model the first time a request for
 * its service arrives.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { MinOperation, MinShape } from "./shapes.js";

export interface ModelMetadata {
  apiVersion: string;
  endpointPrefix: string;
  signingName?: string;
  protocol: string;
  jsonVersion?: string;
  targetPrefix?: string;
  serviceId: string;
  /** JSON services that still answer their former query protocol (SQS). */
  awsQueryCompatible?: object;
  xmlNamespace?: string;
}

export interface ServiceModel {
  /** File name without `.min.json`, e.g. `dynamodb-2012-08-10`. */
  id: string;
  metadata: ModelMetadata;
  operations: Record<string, MinOperation>;
  shapes: Record<string, MinShape>;
}

interface IndexEntry {
  id: string;
  metadata: ModelMetadata;
}

const HEAD_BYTES = 4096;

function apisDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("aws-sdk/package.json")), "apis");
}

/** The `"metadata":{...}` object at the start of a min.json file, without parsing the rest. */
function readMetadata(file: string): ModelMetadata | undefined {
  const fd = openSync(file, "r");
  const buf = Buffer.alloc(HEAD_BYTES);
  const n = readSync(fd, buf, 0, HEAD_BYTES, 0);
  closeSync(fd);
  const text = buf.toString("utf8", 0, n);
  const start = text.indexOf('"metadata":');
  if (start < 0) return undefined;
  const open = text.indexOf("{", start);
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return JSON.parse(text.slice(open, i + 1)) as ModelMetadata;
  }
  return undefined;
}

export class ServiceModels {
  private readonly bySigningName = new Map<string, IndexEntry[]>();
  private readonly loaded = new Map<string, ServiceModel>();

  constructor(private readonly dir: string = apisDir()) {
    const latest = new Map<string, IndexEntry>();
    for (const name of readdirSync(dir)) {
      const m = /^(.+)-(\d{4}-\d{2}-\d{2})\.min\.json$/.exec(name);
      if (!m?.[1]) continue;
      const metadata = readMetadata(join(dir, name));
      if (!metadata) continue;
      const prev = latest.get(m[1]);
      if (!prev || prev.metadata.apiVersion < metadata.apiVersion)
        latest.set(m[1], { id: name.slice(0, -".min.json".length), metadata });
    }
    for (const entry of latest.values()) {
      const key = entry.metadata.signingName ?? entry.metadata.endpointPrefix;
      const list = this.bySigningName.get(key) ?? [];
      list.push(entry);
      this.bySigningName.set(key, list);
    }
    // The service whose endpoint prefix is the signing name itself is tried first
    // (s3 before s3control, dynamodb before streams.dynamodb).
    for (const [key, list] of this.bySigningName)
      list.sort(
        (a, b) => Number(b.metadata.endpointPrefix === key) - Number(a.metadata.endpointPrefix === key),
      );
  }

  /** Whether any model is signed with this name. */
  has(signingName: string): boolean {
    return this.bySigningName.has(signingName);
  }

  /** Every model signed with this name, primary first; parsed on first use. */
  forSigningName(signingName: string): ServiceModel[] {
    return (this.bySigningName.get(signingName) ?? []).map((e) => this.load(e));
  }

  private load(entry: IndexEntry): ServiceModel {
    let model = this.loaded.get(entry.id);
    if (!model) {
      const raw = JSON.parse(readFileSync(join(this.dir, `${entry.id}.min.json`), "utf8")) as {
        operations: Record<string, MinOperation>;
        shapes?: Record<string, MinShape>;
      };
      model = {
        id: entry.id,
        metadata: entry.metadata,
        operations: raw.operations,
        shapes: raw.shapes ?? {},
      };
      this.loaded.set(entry.id, model);
    }
    return model;
  }
}
