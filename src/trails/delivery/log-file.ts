import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gzip } from "node:zlib";

const gzipAsync = promisify(gzip);
const OPEN = Buffer.from('{"Records":[');
const COMMA = Buffer.from(",");
const CLOSE = Buffer.from("]}");

/**
 * `{"Records":[...]}` from records already serialised in CloudTrail's compact form (the log's
 * payloads), byte for byte, so the same batch always yields the same file.
 */
export function logFileBody(records: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [OPEN];
  records.forEach((r, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(r);
  });
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

/** One gzip member, nothing after it: what `validate-logs` inflates (reference §4.4). */
export function gzipFile(body: Buffer): Promise<Buffer> {
  return gzipAsync(body);
}

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}
