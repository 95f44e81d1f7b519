import { AwsError } from "../protocol/errors.js";

/**
 * S3's error codes, statuses and messages as S3 answers them, with the extra elements S3 puts
 * in the `<Error>` document (BucketName, Key, ...).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList
 */
export class S3Error extends AwsError {
  constructor(
    code: string,
    message: string,
    status: number,
    readonly fields: Record<string, string | undefined> = {},
    headers: Record<string, string> = {},
  ) {
    super(code, message, status, undefined, headers);
  }
}

const e = (code: string, message: string, status: number, fields?: Record<string, string | undefined>) =>
  new S3Error(code, message, status, fields);

export const S3Errors = {
  accessDenied: () => e("AccessDenied", "Access Denied", 403),
  noSuchBucket: (bucket: string) =>
    e("NoSuchBucket", "The specified bucket does not exist", 404, { BucketName: bucket }),
  noSuchKey: (key: string) => e("NoSuchKey", "The specified key does not exist.", 404, { Key: key }),
  noSuchVersion: (key: string, versionId: string) =>
    e("NoSuchVersion", "The specified version does not exist.", 404, { Key: key, VersionId: versionId }),
  noSuchUpload: (uploadId: string) =>
    e(
      "NoSuchUpload",
      "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
      404,
      { UploadId: uploadId },
    ),
  noSuchBucketPolicy: (bucket: string) =>
    e("NoSuchBucketPolicy", "The bucket policy does not exist", 404, { BucketName: bucket }),
  objectLockConfigurationNotFound: (bucket: string) =>
    e(
      "ObjectLockConfigurationNotFoundError",
      "Object Lock configuration does not exist for this bucket",
      404,
      { BucketName: bucket },
    ),
  noSuchObjectLockConfiguration: () =>
    e("NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration", 404),
  bucketAlreadyOwnedByYou: (bucket: string) =>
    e(
      "BucketAlreadyOwnedByYou",
      "Your previous request to create the named bucket succeeded and you already own it.",
      409,
      { BucketName: bucket },
    ),
  bucketAlreadyExists: (bucket: string) =>
    e(
      "BucketAlreadyExists",
      "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
      409,
      { BucketName: bucket },
    ),
  bucketNotEmpty: (bucket: string) =>
    e("BucketNotEmpty", "The bucket you tried to delete is not empty", 409, { BucketName: bucket }),
  invalidBucketName: (bucket: string) =>
    e("InvalidBucketName", "The specified bucket is not valid.", 400, { BucketName: bucket }),
  keyTooLong: (size: number) =>
    e("KeyTooLongError", "Your key is too long", 400, { Size: String(size), MaxSizeAllowed: "1024" }),
  malformedXml: () =>
    e(
      "MalformedXML",
      "The XML you provided was not well-formed or did not validate against our published schema",
      400,
    ),
  malformedPolicy: (message: string) => e("MalformedPolicy", message, 400),
  invalidDigest: () => e("InvalidDigest", "The Content-MD5 you specified was not valid.", 400),
  badDigest: () => e("BadDigest", "The Content-MD5 you specified did not match what we received.", 400),
  badChecksum: (algorithm: string) =>
    e("BadDigest", `The ${algorithm} you specified did not match the calculated checksum.`, 400),
  invalidChecksum: (algorithm: string) =>
    e("InvalidRequest", `Value for x-amz-checksum-${algorithm.toLowerCase()} header is invalid.`, 400),
  invalidRange: (range: string, size: number) =>
    e("InvalidRange", "The requested range is not satisfiable", 416, {
      RangeRequested: range,
      ActualObjectSize: String(size),
    }),
  invalidRequest: (message: string) => e("InvalidRequest", message, 400),
  invalidArgument: (message: string, name?: string, value?: string) =>
    e("InvalidArgument", message, 400, { ArgumentName: name, ArgumentValue: value }),
  invalidBucketState: (message: string) => e("InvalidBucketState", message, 409),
  methodNotAllowed: (method: string, resourceType: string) =>
    e("MethodNotAllowed", "The specified method is not allowed against this resource.", 405, {
      Method: method,
      ResourceType: resourceType,
    }),
  notImplemented: () =>
    e("NotImplemented", "A header you provided implies functionality that is not implemented", 501),
  invalidUri: () => e("InvalidURI", "Couldn't parse the specified URI.", 400),
  incompleteBody: () =>
    e(
      "IncompleteBody",
      "You did not provide the number of bytes specified by the Content-Length HTTP header",
      400,
    ),
  metadataTooLarge: () =>
    e("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.", 400),
  preconditionFailed: (condition: string) =>
    e("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412, {
      Condition: condition,
    }),
  invalidPart: () =>
    e(
      "InvalidPart",
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      400,
    ),
  invalidPartOrder: () =>
    e(
      "InvalidPartOrder",
      "The list of parts was not in ascending order. Parts must be ordered by part number.",
      400,
    ),
  entityTooSmall: () =>
    e("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.", 400),
  entityTooLarge: () => e("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400),
  /** A chunk or trailer signature of an aws-chunked body that is missing or does not verify. */
  signatureDoesNotMatch: () =>
    e(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      403,
    ),
  internalError: () => e("InternalError", "We encountered an internal error. Please try again.", 500),
} as const;
