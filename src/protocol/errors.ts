/**
 * One error contract for every service OpenTrail speaks. A concept throws an AwsError carrying
 * the exact AWS error code and HTTP status; the protocol layer writes it in the wire format of
 * the service that was called (JSON `__type`, S3 XML `<Code>`, query XML `<Error>`). Anything
 * else that escapes a handler becomes a 500 InternalFailure with no stack trace in the body.
 */
export type Fault = "client" | "server";

export class AwsError extends Error {
  constructor(
    /** The AWS error code, e.g. `TrailNotFoundException` (JSON) or `NoSuchKey` (S3). */
    readonly code: string,
    message: string,
    readonly status = 400,
    readonly fault: Fault = status >= 500 ? "server" : "client",
    /** Extra headers the wire format should carry (e.g. S3's `x-amz-bucket-region`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export function isAwsError(e: unknown): e is AwsError {
  return e instanceof AwsError;
}

/** Errors common to all AWS JSON services, as AWS's front door answers them. */
export const CommonErrors = {
  missingAuthenticationToken: () =>
    new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403),
  unrecognizedClient: () =>
    new AwsError(
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
      403,
    ),
  expiredToken: () =>
    new AwsError("ExpiredTokenException", "The security token included in the request is expired", 403),
  incompleteSignature: (detail: string) => new AwsError("IncompleteSignatureException", detail, 403),
  invalidSignature: (detail: string) => new AwsError("InvalidSignatureException", detail, 403),
  unknownOperation: (op: string) => new AwsError("UnknownOperationException", `Unknown operation ${op}`, 400),
  serialization: (detail: string) => new AwsError("SerializationException", detail, 400),
  validation: (detail: string) => new AwsError("ValidationException", detail, 400),
  requestTooLarge: (limit: number) =>
    new AwsError("RequestEntityTooLargeException", `Request body exceeds the limit of ${limit} bytes`, 413),
  accessDenied: (detail: string) => new AwsError("AccessDeniedException", detail, 400),
  notImplemented: (op: string) =>
    new AwsError(
      "UnsupportedOperationException",
      `The operation ${op} is not supported by OpenTrail yet.`,
      400,
    ),
  internal: () =>
    new AwsError("InternalFailure", "The request processing has failed because of an unknown error.", 500),
} as const;
