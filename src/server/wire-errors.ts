import { STS_PROTOCOL } from "../iam/sts-service.js";
import { encodeJsonError } from "../protocol/aws-json.js";
import { QUERY_RESPONSE_CONTENT_TYPE, serializeQueryError } from "../protocol/aws-query.js";
import type { AwsError } from "../protocol/errors.js";
import { RequestTimeError, type RequestWindow, signatureMismatch } from "../protocol/sigv4-parse.js";
import { S3Errors } from "../s3/errors.js";
import type { RawResponse } from "./raw-http.js";

/**
 * The edge answers authentication failures before any service sees the request, in the wire
 * format of the service that was called. The JSON services' codes are the canonical ones;
 * S3 and the query services (STS) name the same failures differently. Query-service errors
 * are written in STS's namespace: STS is the only query service on the port today.
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

/** S3 words a signature that does not match its own way (no "AWS Secret Access Key"). */
const JSON_MISMATCH = signatureMismatch().message;
const S3_MISMATCH = S3Errors.signatureDoesNotMatch().message;

export function errorResponse(format: WireFormat, err: AwsError, requestId: string): RawResponse {
  if (format === "json") {
    return {
      status: err.status,
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-requestid": requestId,
        ...err.headers,
      },
      body: Buffer.from(encodeJsonError(err)),
    };
  }
  if (format === "s3") {
    const timing = err instanceof RequestTimeError ? s3RequestTime(err.window) : undefined;
    const code = timing?.code ?? S3_CODES[err.code] ?? err.code;
    const message = timing?.message ?? (err.message === JSON_MISMATCH ? S3_MISMATCH : err.message);
    const details = timing?.details ?? "";
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${esc(code)}</Code><Message>${esc(message)}</Message>${details}<RequestId>${requestId}</RequestId></Error>`;
    return {
      status: err.status,
      headers: { "content-type": "application/xml", "x-amz-request-id": requestId, ...err.headers },
      body: Buffer.from(xml),
    };
  }
  return {
    status: err.status,
    headers: { "content-type": QUERY_RESPONSE_CONTENT_TYPE, "x-amzn-requestid": requestId, ...err.headers },
    body: Buffer.from(serializeQueryError(err, requestId, STS_PROTOCOL)),
  };
}

/**
 * S3's own answer to a request outside its time window: RequestTimeTooSkewed for a signed
 * request whose date is too far from the server's clock, AccessDenied "Request has expired" for
 * a presigned URL past its X-Amz-Expires, each with the times S3 reports beside it.
 */
function s3RequestTime(w: RequestWindow): { code: string; message: string; details: string } {
  const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, "Z");
  if (w.kind === "expired") {
    return {
      code: "AccessDenied",
      message: "Request has expired",
      details: `<X-Amz-Expires>${w.expiresSeconds}</X-Amz-Expires><Expires>${iso(w.expires)}</Expires><ServerTime>${iso(w.serverTime)}</ServerTime>`,
    };
  }
  return {
    code: "RequestTimeTooSkewed",
    message: "The difference between the request time and the current time is too large.",
    details: `<RequestTime>${esc(w.requestTime)}</RequestTime><ServerTime>${iso(w.serverTime)}</ServerTime><MaxAllowedSkewMilliseconds>${w.maxSkewMs}</MaxAllowedSkewMilliseconds>`,
  };
}

function esc(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}
