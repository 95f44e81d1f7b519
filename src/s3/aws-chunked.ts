import { S3Errors } from "./errors.js";

/**
 * Decoder for `Content-Encoding: aws-chunked` bodies, signed (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`,
 * `...-TRAILER`) or unsigned (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`):
 *   <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n ... 0[;chunk-signature=<sig>]\r\n
 *   [<trailer-name>:<value>\r\n ...]\r\n
 * Chunk and trailer signatures are NOT verified here (the edge verified the seed signature).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 */
export interface DecodedChunks {
  body: Buffer;
  /** Trailing headers, names lower-cased (e.g. `x-amz-checksum-crc32`), signature trailer excluded. */
  trailers: Record<string, string>;
}

const CRLF = Buffer.from("\r\n");

function readLine(buf: Buffer, from: number): { line: string; next: number } {
  const end = buf.indexOf(CRLF, from);
  if (end < 0) throw S3Errors.incompleteBody();
  return { line: buf.toString("latin1", from, end), next: end + 2 };
}

function readTrailers(buf: Buffer, from: number): Record<string, string> {
  const trailers: Record<string, string> = {};
  let pos = from;
  while (pos < buf.length) {
    const { line, next } = readLine(buf, pos);
    pos = next;
    if (line === "") break;
    const colon = line.indexOf(":");
    if (colon <= 0) throw S3Errors.invalidRequest("Malformed trailing header in aws-chunked body");
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name !== "x-amz-trailer-signature") trailers[name] = line.slice(colon + 1).trim();
  }
  return trailers;
}

export function decodeAwsChunked(buf: Buffer, decodedLength?: number): DecodedChunks {
  const chunks: Buffer[] = [];
  let pos = 0;
  let total = 0;
  for (;;) {
    const { line, next } = readLine(buf, pos);
    const sizeText = line.split(";", 1)[0]?.trim() ?? "";
    if (!/^[0-9a-fA-F]+$/.test(sizeText))
      throw S3Errors.invalidRequest("Invalid chunk size in aws-chunked body");
    const size = Number.parseInt(sizeText, 16);
    pos = next;
    if (size === 0) break;
    if (pos + size > buf.length) throw S3Errors.incompleteBody();
    chunks.push(buf.subarray(pos, pos + size));
    total += size;
    pos += size;
    if (buf.subarray(pos, pos + 2).equals(CRLF)) pos += 2;
    else throw S3Errors.invalidRequest("Missing CRLF after chunk data in aws-chunked body");
  }
  const trailers = readTrailers(buf, pos);
  if (decodedLength !== undefined && decodedLength !== total) throw S3Errors.incompleteBody();
  return { body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total), trailers };
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
