import { type Policy, parsePolicy, type RequestContextValues } from "../iam/policy/index.js";
import {
  authorizeBucketAccess,
  type BucketAccessResult,
  bucketArn,
  policyPrincipal,
  principalContext,
} from "./authorize.js";
import type { BlobFiles } from "./blob-files.js";
import { BufferPool } from "./buffer-pool.js";
import type { S3Call } from "./call.js";
import { DigestWorkers } from "./digest-workers.js";
import { S3Errors } from "./errors.js";
import type { BucketRecord } from "./model.js";
import type { ObjectIndex } from "./object-index.js";

export interface S3Logger {
  error(message: string, details?: unknown): void;
  warn(message: string, details?: unknown): void;
}

/** Bucket policies are validated by PutBucketPolicy; this is the rule it applies. */
export function parseBucketPolicy(bucket: string, json: string): Policy {
  return parsePolicy(json, {
    resourcePolicy: true,
    actionServices: ["s3"],
    resourceAllowed: (r) => r === "*" || r === bucketArn(bucket) || r.startsWith(`${bucketArn(bucket)}/`),
  });
}

const POLICY_ACTIONS = new Set(["s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"]);

/** Shared state of the built-in S3 service: storage, compiled policies, settings. */
export class S3Runtime {
  private readonly policies = new Map<string, Policy>();
  /** Object-sized buffers for request and response bodies. */
  readonly buffers = new BufferPool();
  /** Hashing of large request bodies, off the event loop. */
  readonly digests = new DigestWorkers();

  constructor(
    readonly index: ObjectIndex,
    readonly blobs: BlobFiles,
    readonly defaultRegion: string,
    readonly secureTransport: boolean,
    readonly logger: S3Logger | undefined,
  ) {}

  /** The compiled policy of a bucket; compiled once per submitted document. */
  policyOf(bucket: BucketRecord): Policy | undefined {
    if (!bucket.policy) return undefined;
    const cached = this.policies.get(bucket.name);
    if (cached && cached.source === bucket.policy) return cached;
    const policy = parseBucketPolicy(bucket.name, bucket.policy);
    this.policies.set(bucket.name, policy);
    return policy;
  }

  requireBucket(call: S3Call): BucketRecord {
    if (!call.bucketRecord) throw S3Errors.noSuchBucket(call.bucket ?? "");
    return call.bucketRecord;
  }

  /** The condition keys of this request (global ones plus any the operation adds). */
  contextOf(call: S3Call, extra: RequestContextValues = {}): RequestContextValues {
    const h = call.req.headers;
    return {
      ...principalContext(
        call.ctx.principal,
        call.ctx.sourceIPAddress,
        call.ctx.receivedAt,
        this.secureTransport,
      ),
      "aws:RequestedRegion": call.ctx.region,
      "s3:authType": call.req.query.has("X-Amz-Signature") ? "REST-QUERY-STRING" : "REST-HEADER",
      "s3:x-amz-acl": h["x-amz-acl"],
      "s3:x-amz-server-side-encryption": h["x-amz-server-side-encryption"],
      "s3:x-amz-copy-source": h["x-amz-copy-source"],
      "s3:x-amz-metadata-directive": h["x-amz-metadata-directive"],
      "s3:object-lock-mode": h["x-amz-object-lock-mode"],
      "s3:object-lock-retain-until-date": h["x-amz-object-lock-retain-until-date"],
      "s3:VersionId": call.req.query.get("versionId") ?? undefined,
      ...extra,
    };
  }

  check(
    call: S3Call,
    bucket: BucketRecord,
    action: string,
    key?: string,
    extra?: RequestContextValues,
  ): BucketAccessResult {
    const p = call.ctx.principal;
    // The owner account's root user can always manage the bucket policy, so a policy cannot lock it out.
    if (POLICY_ACTIONS.has(action) && p.type === "Root" && p.accountId === bucket.ownerAccountId) {
      return { allowed: true, decision: "Allow" };
    }
    return authorizeBucketAccess(
      { ownerAccountId: bucket.ownerAccountId, policy: this.policyOf(bucket) },
      {
        principal: policyPrincipal(p),
        action,
        resource: bucketArn(bucket.name, key),
        context: this.contextOf(call, extra),
      },
    );
  }

  /** Throws AccessDenied unless the caller may perform `action` on the bucket (or one of its keys). */
  authorize(call: S3Call, action: string, key?: string, extra?: RequestContextValues): BucketRecord {
    const bucket = this.requireBucket(call);
    if (!this.check(call, bucket, action, key, extra).allowed) throw S3Errors.accessDenied();
    return bucket;
  }
}
