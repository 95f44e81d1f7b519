import { encodeJsonError } from "../protocol/aws-json.js";
import type { AwsError } from "../protocol/errors.js";
import type { RawResponse } from "./raw-http.js";

/**
 * The edge answers authentication failures before any service sees the request, in the wire
 * format of the service that was called. The JSON services' codes are the canonical ones;
 * S3 and the query services (STS) name the same failures differently.
 */
export type WireFormat = "json" | "query" | "s3";

const S3_CODES: Record<string, string> = {
  MissingAuthenticationTokenException: "AccessDenied",
  UnrecognizedClientException: "InvalidAccessKeyId",
  InvalidSignatureException: "SignatureDoesNotMatch",
  IncompleteSignatureException: "AuthorizationHeaderMalformed",
  ExpiredTokenException: "ExpiredToken",
  RequestEntityTooLargeException: "EntityTooLarge",
  UnknownOperationException: "NotImplemented",
  InternalFailure: "InternalError",
};

const QUERY_CODES: Record<string, string> = {
  MissingAuthenticationTokenException: "MissingAuthenticationToken",
  UnrecognizedClientException: "InvalidClientTokenId",
  InvalidSignatureException: "SignatureDoesNotMatch",
  IncompleteSignatureException: "IncompleteSignature",
  ExpiredTokenException: "ExpiredToken",
  RequestEntityTooLargeException: "RequestEntityTooLarge",
  UnknownOperationException: "InvalidAction",
};

export function errorResponse(format: WireFormat, err: AwsError, requestId: string): RawResponse {
  if (format === "json") {
    return {
      status: err.status,
      headers: { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": requestId, ...err.headers },
      body: Buffer.from(encodeJsonError(err)),
    };
  }
  if (format === "s3") {
    const code = S3_CODES[err.code] ?? err.code;
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${esc(code)}</Code><Message>${esc(err.message)}</Message><RequestId>${requestId}</RequestId></Error>`;
    return {
      status: err.status,
      headers: { "content-type": "application/xml", "x-amz-request-id": requestId, ...err.headers },
      body: Buffer.from(xml),
    };
  }
  const code = QUERY_CODES[err.code] ?? err.code;
  const type = err.fault === "server" ? "Receiver" : "Sender";
  const xml = `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>${type}</Type><Code>${esc(code)}</Code><Message>${esc(err.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return {
    status: err.status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": requestId, ...err.headers },
    body: Buffer.from(xml),
  };
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}
