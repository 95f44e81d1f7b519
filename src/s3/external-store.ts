import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import type {
  BucketInfo,
  ObjectStore,
  ObjectSummary,
  PutObjectOptions,
  StoredObject,
} from "./object-store.js";
import { unquoteEtag } from "./responses.js";

/** Any S3-compatible endpoint (AWS S3, MinIO, s3rver, ...) through the AWS SDK. */
export interface ExternalS3Config {
  /** e.g. `http://127.0.0.1:9000`; omit for AWS S3. */
  endpoint?: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  forcePathStyle?: boolean;
  /** MaxKeys of each ListObjectsV2 page (default 1000). */
  listPageSize?: number;
}

function status(e: unknown): number | undefined {
  return e instanceof S3ServiceException ? e.$metadata.httpStatusCode : undefined;
}

export class ExternalObjectStore implements ObjectStore {
  readonly client: S3Client;
  private readonly listPageSize?: number;

  constructor(config: ExternalS3Config) {
    this.listPageSize = config.listPageSize;
    this.client = new S3Client({
      endpoint: config.endpoint,
      region: config.region,
      credentials: config.credentials,
      forcePathStyle: config.forcePathStyle ?? false,
    });
  }

  async putObject(bucket: string, key: string, body: Buffer, opts: PutObjectOptions = {}) {
    const out = await this.client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        Metadata: opts.metadata,
        ContentType: opts.contentType,
        ContentEncoding: opts.contentEncoding,
        ACL: "bucket-owner-full-control",
      }),
    );
    return { etag: unquoteEtag(out.ETag ?? ""), versionId: out.VersionId };
  }

  async getObject(bucket: string, key: string): Promise<StoredObject | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = Buffer.from((await out.Body?.transformToByteArray()) ?? new Uint8Array());
      return {
        body,
        metadata: out.Metadata ?? {},
        contentType: out.ContentType,
        contentEncoding: out.ContentEncoding,
        etag: unquoteEtag(out.ETag ?? ""),
        size: out.ContentLength ?? body.length,
        lastModified: out.LastModified ?? new Date(0),
        versionId: out.VersionId && out.VersionId !== "null" ? out.VersionId : undefined,
      };
    } catch (e) {
      if (status(e) === 404) return undefined;
      throw e;
    }
  }

  async headBucket(bucket: string): Promise<BucketInfo> {
    try {
      const out = await this.client.send(new HeadBucketCommand({ Bucket: bucket }));
      return { exists: true, region: out.BucketRegion };
    } catch (e) {
      if (status(e) === 404) return { exists: false };
      throw e;
    }
  }

  async *listObjects(bucket: string, prefix: string, startAfter?: string): AsyncIterable<ObjectSummary> {
    let token: string | undefined;
    do {
      const out = await this.client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: prefix || undefined,
          StartAfter: token ? undefined : startAfter,
          ContinuationToken: token,
          MaxKeys: this.listPageSize,
        }),
      );
      for (const o of out.Contents ?? []) {
        yield { key: o.Key ?? "", size: o.Size ?? 0, etag: unquoteEtag(o.ETag ?? "") };
      }
      token = out.IsTruncated ? out.NextContinuationToken : undefined;
    } while (token);
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }
}
