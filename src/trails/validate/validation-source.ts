/**
 * What validate-logs reads, as the AWS CLI reads it: DescribeTrails and ListPublicKeys from
 * CloudTrail, ListObjects (v1, marker), GetObject with user metadata from S3. The CLI command
 * implements it with the AWS SDK; tests implement it over an in-memory bucket store.
 */
export interface TrailLocation {
  S3BucketName?: string;
  S3KeyPrefix?: string;
  IsOrganizationTrail?: boolean;
}

export interface SourcePublicKey {
  /** DER bytes (the SDK has already decoded the JSON blob's base64). */
  Value?: Uint8Array;
  Fingerprint?: string;
}

export interface SourceObject {
  body: Buffer;
  /** User metadata, names lower-case without `x-amz-meta-`. */
  metadata: Record<string, string>;
}

export interface ValidationSource {
  /** The trail whose TrailARN equals `arn` in DescribeTrails' answer, if any. */
  findTrail(arn: string): Promise<TrailLocation | undefined>;
  listPublicKeys(start: Date, end: Date): Promise<SourcePublicKey[]>;
  /** Keys after `marker` under `prefix`, in S3's (UTF-8 binary) order. */
  listKeys(bucket: string, prefix: string, marker: string): AsyncIterable<string>;
  /** Undefined when the object does not exist (S3 NoSuchKey); other failures throw. */
  getObject(bucket: string, key: string): Promise<SourceObject | undefined>;
}

/** Failures that end the command, with the AWS CLI's exit code. */
export class ValidateLogsError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "ValidateLogsError";
  }
}
