import { contentHashMismatch } from "../protocol/sigv4-parse.js";
import { bodyDigests } from "./body-digests.js";
import type { S3Runtime } from "./runtime.js";

/**
 * A streamed body's signature covered only the declared x-amz-content-sha256 (the edge cannot
 * hash what it did not read): a hex declared hash is checked here, on a digest worker when the
 * body is large. UNSIGNED-PAYLOAD and STREAMING-* declare no hash of the bytes.
 */
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

export async function verifyPayloadHash(
  headers: Record<string, string>,
  body: Buffer,
  rt: S3Runtime,
): Promise<void> {
  const declared = headers["x-amz-content-sha256"];
  if (declared === undefined || !HEX_SHA256.test(declared)) return;
  const { sha256 } = await bodyDigests(body, ["sha256"], rt.digests, rt.buffers);
  if (Buffer.from(sha256 ?? "", "base64").toString("hex") !== declared.toLowerCase())
    throw contentHashMismatch("s3");
}
