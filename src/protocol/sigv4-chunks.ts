/**
 * SigV4 streaming signatures (`Content-Encoding: aws-chunked` bodies). With
 * STREAMING-AWS4-HMAC-SHA256-PAYLOAD the request's own signature (the *seed*) covers only its
 * headers; each chunk then carries a signature over its bytes and the previous signature, so no
 * chunk can be altered, dropped, reordered or added. With ...-PAYLOAD-TRAILER the trailing
 * headers are signed last, over the final (empty) chunk's signature. Every signature is an HMAC
 * with the signing key the seed was verified with (sigv4-header-form.ts keeps it); only the
 * strings to sign are composed here:
 *   AWS4-HMAC-SHA256-PAYLOAD \n <X-Amz-Date> \n <scope> \n <previous signature> \n <sha256("")> \n <sha256(chunk)>
 *   AWS4-HMAC-SHA256-TRAILER \n <X-Amz-Date> \n <scope> \n <final chunk signature> \n <sha256(trailers)>
 * where the trailers are their `name:value\n` lines.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html
 */
import { createHmac, hash, type KeyObject, timingSafeEqual } from "node:crypto";
import { ALGORITHM_IDENTIFIER, createScope, EVENT_ALGORITHM_IDENTIFIER } from "@smithy/signature-v4";
import { type SigningScope, signingKey } from "./sigv4-header-form.js";

export const STREAMING_SIGNED_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
export const STREAMING_SIGNED_PAYLOAD_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";

/** Whether a declared x-amz-content-sha256 promises signed chunks. */
export function isSignedStreaming(payloadHash: string | undefined): boolean {
  return payloadHash === STREAMING_SIGNED_PAYLOAD || payloadHash === STREAMING_SIGNED_PAYLOAD_TRAILER;
}

/** What a verified seed signature hands on to whoever reads the body's chunks. */
export interface ChunkSigning {
  /** The derived signing key (kSigning) the seed signature was verified with. */
  key: KeyObject;
  /** X-Amz-Date as sent. */
  longDate: string;
  /** `<YYYYMMDD>/<region>/<service>/aws4_request`. */
  scope: string;
  /** The request's own signature: the first chunk's "previous signature". */
  seedSignature: string;
  /** STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: a signed trailer must follow the last chunk. */
  trailer: boolean;
}

/** The signing context of a request whose seed signature was just verified. */
export async function chunkSigning(
  scope: SigningScope,
  seedSignature: string,
  payloadHash: string,
): Promise<ChunkSigning> {
  return {
    key: await signingKey(scope),
    longDate: scope.longDate,
    scope: createScope(scope.shortDate, scope.region, scope.service),
    seedSignature,
    trailer: payloadHash === STREAMING_SIGNED_PAYLOAD_TRAILER,
  };
}

const TRAILER_ALGORITHM = `${ALGORITHM_IDENTIFIER}-TRAILER`;
const EMPTY_SHA256 = hash("sha256", "", "hex");
/** Signatures are lower-case hex, as every SDK writes them and as they are chained. */
const SIGNATURE = /^[0-9a-f]{64}$/;

/**
 * The chain of one body's signatures, checked in order. A check that fails leaves the chain
 * where it was; the caller refuses the request.
 */
export class ChunkSignatureChain {
  private previous: string;
  private readonly payloadHead: string;
  private readonly trailerHead: string;

  constructor(private readonly signing: ChunkSigning) {
    this.previous = signing.seedSignature;
    this.payloadHead = `${EVENT_ALGORITHM_IDENTIFIER}\n${signing.longDate}\n${signing.scope}\n`;
    this.trailerHead = `${TRAILER_ALGORITHM}\n${signing.longDate}\n${signing.scope}\n`;
  }

  /** Whether `signature` signs `data` as the next chunk (the final chunk's data is empty). */
  chunk(data: Buffer, signature: string | undefined): boolean {
    return this.check(
      `${this.payloadHead}${this.previous}\n${EMPTY_SHA256}\n${hash("sha256", data, "hex")}`,
      signature,
    );
  }

  /** Whether `signature` signs these trailing headers (lower-case names, as sent) after the last chunk. */
  trailer(trailers: readonly (readonly [string, string])[], signature: string | undefined): boolean {
    let lines = "";
    for (const [name, value] of trailers) lines += `${name}:${value}\n`;
    return this.check(`${this.trailerHead}${this.previous}\n${hash("sha256", lines, "hex")}`, signature);
  }

  private check(stringToSign: string, signature: string | undefined): boolean {
    if (signature === undefined || !SIGNATURE.test(signature)) return false;
    const expected = createHmac("sha256", this.signing.key).update(stringToSign, "utf8").digest();
    if (!timingSafeEqual(expected, Buffer.from(signature, "hex"))) return false;
    this.previous = signature;
    return true;
  }
}
