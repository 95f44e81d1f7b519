import type { Readable } from "node:stream";
import type { ChunkSigning } from "../protocol/sigv4-chunks.js";

/**
 * The HTTP request as the edge saw it, for services whose wire protocol lives in the HTTP
 * method, path and headers (S3's REST-XML). JSON services never see this.
 */
export interface RawRequest {
  method: string;
  /** Path exactly as sent, still percent-encoded, without the query string. */
  rawPath: string;
  query: URLSearchParams;
  /** Lower-cased header names; repeated headers joined with ",". */
  headers: Record<string, string>;
  body: Buffer;
  /**
   * Set instead of `body` for endpoints that stream (ServiceEndpoint.streamsBody): the unread
   * request body. Its signature covered the declared x-amz-content-sha256 only.
   */
  stream?: Readable;
  /** Set by the edge for a STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] request: its body's
   * chunk signatures are checked with this as the body is decoded. */
  chunkSigning?: ChunkSigning;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body?: Buffer | Readable;
  /** Called once a Buffer body has been handed to the socket: the service may reuse its memory. */
  release?: () => void;
}
