import { bodyDigests } from "../body-digests.js";
import type { S3Call } from "../call.js";
import {
  type ChecksumAlgorithm,
  checkChecksums,
  computeChecksum,
  declaredChecksums,
  verifiableAlgorithms,
  verifyContentMd5,
} from "../checksums.js";
import type { WorkerDigest } from "../digest-workers.js";
import type { S3Runtime } from "../runtime.js";

/**
 * Stores a PutObject / UploadPart body as a blob and checks its Content-MD5 and flexible
 * checksums meanwhile (on a worker thread when large), so hashing overlaps the file's fsyncs.
 * The caller records an object only for a returned blob: a refused body's file is dropped
 * before any index entry refers to it, so no object ever holds bytes that failed a check.
 */
type Checksums = Partial<Record<ChecksumAlgorithm, string>>;

export interface StoredBody {
  blob: string;
  /** Hex MD5 of the body. */
  etag: string;
  size: number;
  /** The declared checksums, to store and return (undefined: none declared). */
  checksums?: Checksums;
}

export async function storeBody(call: S3Call, rt: S3Runtime): Promise<StoredBody> {
  const body = call.body;
  const declared = declaredChecksums(call.req.headers, call.trailers);
  // Both settle before anything is decided: the caller may reuse the body's memory once we return.
  const [written, digests] = await Promise.allSettled([
    call.upload ? call.upload.finish() : rt.blobs.write(body),
    digestsOf(rt, body, verifiableAlgorithms(declared)),
  ]);
  if (written.status === "rejected") throw written.reason;
  try {
    if (digests.status === "rejected") throw digests.reason;
    verifyContentMd5(call.req.headers["content-md5"], digests.value.md5);
    checkChecksums(declared, digests.value.checksums);
  } catch (e) {
    await rt.blobs.drop(written.value);
    throw e;
  }
  return {
    blob: written.value,
    etag: digests.value.md5,
    size: body.length,
    checksums: Object.keys(declared).length ? declared : undefined,
  };
}

async function digestsOf(
  rt: S3Runtime,
  body: Buffer,
  algorithms: ChecksumAlgorithm[],
): Promise<{ md5: string; checksums: Checksums }> {
  const checksums: Checksums = {};
  const hashed: WorkerDigest[] = ["md5"];
  for (const algorithm of algorithms) {
    // CRC32C has no native implementation to hand to a worker; clients rarely choose it.
    if (algorithm === "crc32c") checksums[algorithm] = computeChecksum(algorithm, body);
    else hashed.push(algorithm as WorkerDigest);
  }
  const computed = await bodyDigests(body, hashed, rt.digests, rt.buffers);
  for (const algorithm of algorithms)
    if (algorithm !== "crc32c") checksums[algorithm] = computed[algorithm as WorkerDigest];
  return { md5: computed.md5 as string, checksums };
}
