/**
 * The error code and message of an upstream's error response, read as the AWS SDKs read them
 * for each protocol: JSON `__type` (namespace and `:` suffix stripped) or `code` with
 * `message`/`Message`, or the `x-amzn-errortype` header (REST-JSON); query
 * `<ErrorResponse><Error><Code>`, EC2 `<Response><Errors><Error><Code>`, REST-XML `<Error><Code>`.
 * A body that says nothing (HEAD, or a non-AWS upstream) gets the code S3 uses for the status.
 */
import { type ParsedXmlValue, parseXml } from "../protocol/rest-xml.js";

export interface UpstreamError {
  code: string;
  message: string;
}

const BY_STATUS: Record<number, string> = {
  301: "PermanentRedirect",
  304: "NotModified",
  307: "TemporaryRedirect",
  400: "BadRequest",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  409: "Conflict",
  412: "PreconditionFailed",
  413: "RequestEntityTooLarge",
  416: "InvalidRange",
  429: "ThrottlingException",
  500: "InternalError",
  501: "NotImplemented",
  503: "ServiceUnavailable",
};

function cleanCode(raw: string): string {
  const afterHash = raw.slice(raw.lastIndexOf("#") + 1);
  return afterHash.split(":")[0]?.trim() ?? afterHash;
}

function fromJson(body: Buffer): Partial<UpstreamError> {
  try {
    const v = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
    const code = v.__type ?? v.code ?? v.Code;
    const message = v.message ?? v.Message ?? v.errorMessage;
    return {
      code: typeof code === "string" ? cleanCode(code) : undefined,
      message: typeof message === "string" ? message : undefined,
    };
  } catch {
    return {};
  }
}

function find(node: ParsedXmlValue | undefined, tag: string): ParsedXmlValue | undefined {
  if (!node || typeof node !== "object") return undefined;
  if (Array.isArray(node)) {
    for (const n of node) {
      const hit = find(n, tag);
      if (hit !== undefined) return hit;
    }
    return undefined;
  }
  if (tag in node) return node[tag];
  for (const child of Object.values(node)) {
    const hit = find(child, tag);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

function fromXml(body: Buffer): Partial<UpstreamError> {
  try {
    const doc = parseXml(body);
    // The first <Error> anywhere: <Error> (REST-XML), <ErrorResponse><Error>, <Response><Errors><Error>.
    const error = find(doc, "Error");
    const code = find(error, "Code");
    const message = find(error, "Message");
    return {
      code: typeof code === "string" ? code : undefined,
      message: typeof message === "string" ? message : undefined,
    };
  } catch {
    return {};
  }
}

export function parseUpstreamError(
  status: number,
  headers: Record<string, string>,
  body: Buffer,
): UpstreamError {
  const first = body.toString("utf8", 0, Math.min(body.length, 64)).trimStart()[0];
  const parsed = first === "{" ? fromJson(body) : first === "<" ? fromXml(body) : {};
  const header = headers["x-amzn-errortype"];
  const code =
    parsed.code || (header ? cleanCode(header) : undefined) || BY_STATUS[status] || `Http${status}`;
  return { code, message: parsed.message ?? headers["x-amzn-errormessage"] ?? "" };
}
