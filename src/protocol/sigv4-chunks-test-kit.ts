/**
 * aws-chunked uploads as a SigV4 streaming client sends them, for tests. No client installed
 * here sends signed chunks (@aws-sdk/client-s3, botocore and the aws CLI send
 * STREAMING-UNSIGNED-PAYLOAD-TRAILER; aws-sdk v2 signs the whole payload), so the request is
 * built from the SDK's own pieces: SignatureV4.sign() signs the head (the seed signature), and
 * each chunk and the trailer are signed with SignatureV4.sign(stringToSign), which derives the
 * key and computes the HMAC itself. Only the strings to sign are composed here, as the S3
 * documentation gives them (sigv4-chunks.test.ts checks them against its published examples).
 */
import { createHash } from "node:crypto";
import { crc32 } from "node:zlib";
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import {
  ALGORITHM_IDENTIFIER,
  createScope,
  EVENT_ALGORITHM_IDENTIFIER,
  SignatureV4,
} from "@smithy/signature-v4";

export type ChunkedMode = "signed" | "signed-trailer" | "unsigned-trailer";

const CONTENT_SHA256: Record<ChunkedMode, string> = {
  signed: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
  "signed-trailer": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
  "unsigned-trailer": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
};

export interface ChunkedUpload {
  /** The signed head, less Host and Content-Length (fetch sends both, to the values signed). */
  headers: Record<string, string>;
  /** Each chunk as sent (size line, data, CRLF); the final, empty chunk's size line last. */
  chunks: Buffer[];
  /** What follows the final chunk: trailing headers, the trailer signature, the closing CRLF. */
  trailer: Buffer;
}

export interface ChunkedUploadOptions {
  /** `http://host:port` of the server. */
  url: string;
  /** Path-style object path, e.g. `/bucket/key`. */
  path: string;
  data: Buffer;
  chunkSize: number;
  mode: ChunkedMode;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region?: string;
  date?: Date;
}

function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

function crc32Base64(data: Buffer): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(data));
  return b.toString("base64");
}

export async function chunkedUpload(o: ChunkedUploadOptions): Promise<ChunkedUpload> {
  const { hostname, port } = new URL(o.url);
  const region = o.region ?? "us-east-1";
  const signingDate = o.date ?? new Date();
  const signer = new SignatureV4({
    credentials: o.credentials,
    region,
    service: "s3",
    sha256: Sha256,
    uriEscapePath: false,
  });
  const trailing = o.mode !== "signed";
  const headers: Record<string, string> = {
    host: `${hostname}:${port}`,
    "content-encoding": "aws-chunked",
    "x-amz-content-sha256": CONTENT_SHA256[o.mode],
    "x-amz-decoded-content-length": String(o.data.length),
  };
  if (trailing) headers["x-amz-trailer"] = "x-amz-checksum-crc32";
  const head = await signer.sign(
    new HttpRequest({
      method: "PUT",
      protocol: "http:",
      hostname,
      port: Number(port),
      path: o.path,
      headers,
    }),
    { signingDate },
  );
  const sent = Object.assign({}, head.headers);
  delete sent.host;
  const amzDate = sent["x-amz-date"] ?? "";
  const scope = createScope(amzDate.slice(0, 8), region, "s3");
  const signed = o.mode !== "unsigned-trailer";
  let previous = /Signature=([0-9a-f]{64})/.exec(sent.authorization ?? "")?.[1] ?? "";

  const chunks: Buffer[] = [];
  const pieces: Buffer[] = [];
  for (let at = 0; at < o.data.length; at += o.chunkSize) pieces.push(o.data.subarray(at, at + o.chunkSize));
  pieces.push(Buffer.alloc(0));
  for (const piece of pieces) {
    let extension = "";
    if (signed) {
      const stringToSign = [
        EVENT_ALGORITHM_IDENTIFIER,
        amzDate,
        scope,
        previous,
        sha256Hex(""),
        sha256Hex(piece),
      ].join("\n");
      previous = await signer.sign(stringToSign, { signingDate });
      extension = `;chunk-signature=${previous}`;
    }
    const line = Buffer.from(`${piece.length.toString(16)}${extension}\r\n`);
    chunks.push(piece.length === 0 ? line : Buffer.concat([line, piece, Buffer.from("\r\n")]));
  }

  let trailer = "\r\n";
  if (trailing) {
    const checksum = `x-amz-checksum-crc32:${crc32Base64(o.data)}`;
    trailer = `${checksum}\r\n`;
    if (signed) {
      const stringToSign = [
        `${ALGORITHM_IDENTIFIER}-TRAILER`,
        amzDate,
        scope,
        previous,
        sha256Hex(`${checksum}\n`),
      ].join("\n");
      trailer += `x-amz-trailer-signature:${await signer.sign(stringToSign, { signingDate })}\r\n`;
    }
    trailer += "\r\n";
  }
  return { headers: sent, chunks, trailer: Buffer.from(trailer) };
}

/** The body of an upload, from its (possibly altered) chunks and trailer. */
export function chunkedBody(upload: Pick<ChunkedUpload, "chunks" | "trailer">): Buffer {
  return Buffer.concat([...upload.chunks, upload.trailer]);
}

/** The body with one chunk's text (size line, data, CRLF) edited. */
function editChunk(u: ChunkedUpload, index: number, edit: (text: string) => string): Buffer {
  const chunks = [...u.chunks];
  chunks[index] = Buffer.from(edit(chunks[index]?.toString("latin1") ?? ""), "latin1");
  return chunkedBody({ chunks, trailer: u.trailer });
}

/**
 * Ways to alter a correctly signed body after signing (bytes, signatures, chunks dropped,
 * swapped or cut, the trailer): each must be refused as SignatureDoesNotMatch.
 */
export const CHUNK_ALTERATIONS: [string, ChunkedMode, (u: ChunkedUpload) => Buffer][] = [
  [
    "a chunk's bytes changed",
    "signed",
    (u) => {
      const chunks = u.chunks.map((c) => Buffer.from(c));
      const second = chunks[1] as Buffer;
      second[second.length - 10] = (second[second.length - 10] as number) ^ 0xff;
      return chunkedBody({ chunks, trailer: u.trailer });
    },
  ],
  [
    "a wrong chunk signature",
    "signed",
    (u) => editChunk(u, 2, (text) => text.replace(/=[0-9a-f]{64}/, `=${"0".repeat(64)}`)),
  ],
  [
    "a chunk without its signature",
    "signed-trailer",
    (u) => editChunk(u, 0, (text) => text.replace(/;chunk-signature=[0-9a-f]{64}/, "")),
  ],
  [
    "a chunk dropped",
    "signed",
    (u) => chunkedBody({ chunks: u.chunks.filter((_, i) => i !== 1), trailer: u.trailer }),
  ],
  [
    "two chunks swapped",
    "signed",
    (u) => {
      const [a, b, ...rest] = u.chunks;
      return chunkedBody({ chunks: [b as Buffer, a as Buffer, ...rest], trailer: u.trailer });
    },
  ],
  [
    "the body cut after a chunk, ended with a final chunk signed for nothing before it",
    "signed",
    (u) => chunkedBody({ chunks: [u.chunks[0] as Buffer, u.chunks.at(-1) as Buffer], trailer: u.trailer }),
  ],
  [
    "a bad trailer signature",
    "signed-trailer",
    (u) =>
      chunkedBody({
        chunks: u.chunks,
        trailer: Buffer.from(
          u.trailer.toString().replace(/signature:[0-9a-f]{64}/, `signature:${"a".repeat(64)}`),
        ),
      }),
  ],
  [
    "the trailer without its signature",
    "signed-trailer",
    (u) =>
      chunkedBody({
        chunks: u.chunks,
        trailer: Buffer.from(u.trailer.toString().replace(/x-amz-trailer-signature:[0-9a-f]{64}\r\n/, "")),
      }),
  ],
  [
    "a trailing checksum added to a body that signs none",
    "signed",
    (u) => chunkedBody({ chunks: u.chunks, trailer: Buffer.from("x-amz-checksum-crc32:AAAAAA==\r\n\r\n") }),
  ],
];
