import type { BucketPolicyCheck, TrailBucketStore } from "./bucket-store.js";
import type { SigningKeyStore } from "./signing-keys.js";
import { TrailErrors } from "./trail-errors.js";
import type { TrailEntry, TrailRegistry } from "./trail-registry.js";

/** What the handlers share: the registry, the bucket store, keys, and the running deliveries. */
export interface TrailsRuntime {
  registry: TrailRegistry;
  buckets: TrailBucketStore;
  checkBucketPolicy: BucketPolicyCheck;
  keys: SigningKeyStore;
  /** Regions a multi-Region trail covers (shadow trails, trail counts, digest chains). */
  regions: string[];
  now(): number;
  /** The event log's end now: where a configuration change takes effect. */
  logEnd(): number;
  /** Whether notifications to this SNS topic ARN can be delivered (an endpoint is configured). */
  hasSnsTopic(topicArn: string): boolean;
  /** A new trail exists: start its delivery. */
  created(entry: TrailEntry): void;
  /** Stops the trail's delivery without writing more and forgets its log position. */
  deleting(entry: TrailEntry): Promise<void>;
}

/** CreateTrail/UpdateTrail: the bucket must exist and its policy must let CloudTrail write. */
export async function assertDeliverable(
  rt: TrailsRuntime,
  req: { bucket: string; prefix?: string; accountId: string; trailArn: string; region: string },
): Promise<void> {
  const head = await rt.buckets.headBucket(req.bucket);
  if (!head.exists) throw TrailErrors.bucketDoesNotExist(req.bucket);
  if (!(await rt.checkBucketPolicy(req))) throw TrailErrors.insufficientBucketPolicy(req.bucket);
}
