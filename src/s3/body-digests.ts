import type { BufferPool } from "./buffer-pool.js";
import { computeChecksum, md5Hex } from "./checksums.js";
import type { Digests, DigestWorkers, WorkerDigest } from "./digest-workers.js";

/**
 * Digests of a request body: on this thread when it is small (a worker round trip costs more
 * than hashing 64 KB), on a digest worker otherwise.
 */
const OFFLOAD_MIN_BYTES = 64 * 1024;

export async function bodyDigests(
  body: Buffer,
  algorithms: WorkerDigest[],
  workers: DigestWorkers,
  pool: BufferPool,
): Promise<Digests> {
  if (body.length < OFFLOAD_MIN_BYTES) {
    const out: Digests = {};
    for (const a of algorithms) out[a] = a === "md5" ? md5Hex(body) : computeChecksum(a, body);
    return out;
  }
  // A worker reads shared memory only: a body the edge buffered is copied there once (~0.1 ms/MB).
  const lent = body.buffer instanceof SharedArrayBuffer ? undefined : pool.acquire(body.length);
  if (lent) body.copy(lent);
  try {
    return await workers.compute(lent ?? body, algorithms);
  } finally {
    if (lent) pool.release(lent);
  }
}
