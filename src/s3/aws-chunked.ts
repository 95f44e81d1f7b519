import { ChunkSignatureChain, type ChunkSigning } from "../protocol/sigv4-chunks.js";
import { S3Errors } from "./errors.js";

/**
 * Decoder for `Content-Encoding: aws-chunked` bodies, signed (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`,
 * `...-TRAILER`) or unsigned (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`):
 *   <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n ... 0[;chunk-signature=<sig>]\r\n
 *   [<trailer-name>:<value>\r\n ...][x-amz-trailer-signature:<sig>\r\n]\r\n
 * Given the signing context of a verified seed signature, every chunk signature (the final
 * empty chunk's included) and the trailer signature are checked as the body is read: one that
 * is missing or wrong is S3's SignatureDoesNotMatch, before anything is stored. Unsigned bodies
 * carry no signatures to check.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 */
export interface DecodedChunks {
  body: Buffer;
  /** Trailing headers, names lower-cased (e.g. `x-amz-checksum-crc32`), signature trailer excluded. */
  trailers: Record<string, string>;
}

const CRLF = Buffer.from("\r\n");
const SIGNATURE_EXTENSION = "chunk-signature=";
const TRAILER_SIGNATURE = "x-amz-trailer-signature";

function readLine(buf: Buffer, from: number): { line: string; next: number } {
  const end = buf.indexOf(CRLF, from);
  if (end < 0) throw S3Errors.incompleteBody();
  return { line: buf.toString("latin1", from, end), next: end + 2 };
}

function readTrailers(buf: Buffer, from: number, chain: ChunkSignatureChain | undefined, signed: boolean) {
  const trailers: Record<string, string> = {};
  // As sent, for the trailer signature.
  const lines: [string, string][] = [];
  let signature: string | undefined;
  let pos = from;
  while (pos < buf.length) {
    const { line, next } = readLine(buf, pos);
    pos = next;
    if (line === "") break;
    const colon = line.indexOf(":");
    if (colon <= 0) throw S3Errors.invalidRequest("Malformed trailing header in aws-chunked body");
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === TRAILER_SIGNATURE) signature = value;
    else {
      trailers[name] = value;
      lines.push([name, value]);
    }
  }
  if (chain) {
    // STREAMING-AWS4-HMAC-SHA256-PAYLOAD signs no trailer: trailing headers there are unsigned
    // bytes, refused like any other.
    const ok = signed ? chain.trailer(lines, signature) : lines.length === 0 && signature === undefined;
    if (!ok) throw S3Errors.signatureDoesNotMatch();
  }
  return trailers;
}

/**
 * Decodes an aws-chunked body; with `signing` (a verified STREAMING-AWS4-HMAC-SHA256-PAYLOAD
 * request) every signature in it must verify. The data is decoded in place: each chunk moves
 * to the front of `buf`, which the returned body shares (a 1 MB upload costs no fresh 1 MB
 * buffer; `buf` is often pooled memory).
 */
export function decodeAwsChunked(buf: Buffer, decodedLength?: number, signing?: ChunkSigning): DecodedChunks {
  const chain = signing ? new ChunkSignatureChain(signing) : undefined;
  let pos = 0;
  let total = 0;
  for (;;) {
    const { line, next } = readLine(buf, pos);
    const semicolon = line.indexOf(";");
    const sizeText = (semicolon < 0 ? line : line.slice(0, semicolon)).trim();
    if (!/^[0-9a-fA-F]+$/.test(sizeText))
      throw S3Errors.invalidRequest("Invalid chunk size in aws-chunked body");
    const size = Number.parseInt(sizeText, 16);
    pos = next;
    if (pos + size > buf.length) throw S3Errors.incompleteBody();
    const data = buf.subarray(pos, pos + size);
    if (chain) {
      const extension = semicolon < 0 ? "" : line.slice(semicolon + 1).trim();
      const signature = extension.startsWith(SIGNATURE_EXTENSION)
        ? extension.slice(SIGNATURE_EXTENSION.length)
        : undefined;
      if (!chain.chunk(data, signature)) throw S3Errors.signatureDoesNotMatch();
    }
    if (size === 0) break;
    // Data only ever moves towards the front, behind everything still to be read.
    buf.copyWithin(total, pos, pos + size);
    total += size;
    pos += size;
    if (buf.subarray(pos, pos + 2).equals(CRLF)) pos += 2;
    else throw S3Errors.invalidRequest("Missing CRLF after chunk data in aws-chunked body");
  }
  const trailers = readTrailers(buf, pos, chain, signing?.trailer ?? false);
  if (decodedLength !== undefined && decodedLength !== total) throw S3Errors.incompleteBody();
  return { body: buf.subarray(0, total), trailers };
}

/** Whether a request body is aws-chunked, from its headers. */
export function isAwsChunked(headers: Record<string, string>): boolean {
  const sha = headers["x-amz-content-sha256"] ?? "";
  if (sha.startsWith("STREAMING-")) return true;
  return (headers["content-encoding"] ?? "").split(",").some((e) => e.trim().toLowerCase() === "aws-chunked");
}

/** Content-Encoding to store: the client's list without `aws-chunked`, or undefined when empty. */
export function storedContentEncoding(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const rest = header
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "" && e.toLowerCase() !== "aws-chunked");
  return rest.length ? rest.join(",") : undefined;
}
