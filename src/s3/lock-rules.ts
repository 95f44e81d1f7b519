import type { S3Call } from "./call.js";
import { S3Errors } from "./errors.js";
import type { BucketRecord, DefaultRetention, LockMode, ObjectMeta, ObjectVersion } from "./model.js";
import type { S3Runtime } from "./runtime.js";

/**
 * Object Lock: which retention a new version gets, and who may delete a version or shorten
 * its retention. COMPLIANCE holds against everyone until its date; GOVERNANCE can be bypassed
 * with `x-amz-bypass-governance-retention: true` by a caller allowed s3:BypassGovernanceRetention
 * (the owner account's root or admin users, or whom the bucket policy allows); a legal hold
 * holds until removed. Refusals are S3's AccessDenied.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-overview.html
 */
const MODES = new Set(["GOVERNANCE", "COMPLIANCE"]);

export function parseLockMode(value: string | undefined): LockMode {
  if (value === undefined || !MODES.has(value)) throw S3Errors.malformedXml();
  return value as LockMode;
}

export function retainUntil(rule: DefaultRetention, from: Date): string {
  const d = new Date(from.getTime());
  if (rule.days !== undefined) d.setUTCDate(d.getUTCDate() + rule.days);
  if (rule.years !== undefined) d.setUTCFullYear(d.getUTCFullYear() + rule.years);
  return d.toISOString();
}

/** Lock fields for a new version from `x-amz-object-lock-*` headers or the bucket default. */
export function lockForNewVersion(
  headers: Record<string, string>,
  bucket: BucketRecord,
  now: Date,
): Pick<ObjectMeta, "lockMode" | "lockUntil" | "legalHold"> {
  const mode = headers["x-amz-object-lock-mode"];
  const until = headers["x-amz-object-lock-retain-until-date"];
  const hold = headers["x-amz-object-lock-legal-hold"];
  if ((mode || until || hold) && !bucket.objectLockEnabled) {
    throw S3Errors.invalidRequest("Bucket is missing Object Lock Configuration");
  }
  if (hold !== undefined && hold !== "ON" && hold !== "OFF") {
    throw S3Errors.invalidArgument(
      "Legal Hold must be either of 'ON' or 'OFF'",
      "x-amz-object-lock-legal-hold",
      hold,
    );
  }
  const legalHold = hold as "ON" | "OFF" | undefined;
  if (mode === undefined && until === undefined) {
    const rule = bucket.defaultRetention;
    return rule ? { lockMode: rule.mode, lockUntil: retainUntil(rule, now), legalHold } : { legalHold };
  }
  if (mode === undefined || until === undefined) {
    throw S3Errors.invalidArgument(
      "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied",
    );
  }
  if (!MODES.has(mode))
    throw S3Errors.invalidArgument("Unknown wormMode directive.", "x-amz-object-lock-mode", mode);
  const date = Date.parse(until);
  if (Number.isNaN(date)) {
    throw S3Errors.invalidArgument(
      "The retain until date must be a valid date",
      "x-amz-object-lock-retain-until-date",
      until,
    );
  }
  if (date <= now.getTime()) throw S3Errors.invalidArgument("The retain until date must be in the future!");
  return { lockMode: mode as LockMode, lockUntil: new Date(date).toISOString(), legalHold };
}

export function isRetained(v: ObjectVersion, now: Date): boolean {
  return v.meta.lockUntil !== undefined && Date.parse(v.meta.lockUntil) > now.getTime();
}

/** Whether this call may bypass GOVERNANCE retention. */
export function mayBypassGovernance(call: S3Call, rt: S3Runtime, bucket: BucketRecord, key: string): boolean {
  if ((call.req.headers["x-amz-bypass-governance-retention"] ?? "").toLowerCase() !== "true") return false;
  const result = rt.check(call, bucket, "s3:BypassGovernanceRetention", key);
  if (!result.allowed) return false;
  const p = call.ctx.principal;
  const ownerAdmin = p.accountId === bucket.ownerAccountId && (p.admin || p.type === "Root");
  return ownerAdmin || result.decision === "Allow";
}

/** Throws AccessDenied when the version is under legal hold or unexpired retention that holds. */
export function assertDeletable(call: S3Call, rt: S3Runtime, bucket: BucketRecord, v: ObjectVersion): void {
  if (v.deleteMarker) return;
  if (v.meta.legalHold === "ON") throw S3Errors.accessDenied();
  if (!isRetained(v, call.ctx.receivedAt)) return;
  if (v.meta.lockMode === "GOVERNANCE" && mayBypassGovernance(call, rt, bucket, v.key)) return;
  throw S3Errors.accessDenied();
}

/** A retention change that shortens or weakens the lock needs the same rights as a delete. */
export function assertRetentionChange(
  call: S3Call,
  rt: S3Runtime,
  bucket: BucketRecord,
  v: ObjectVersion,
  next: { mode?: LockMode; until?: string },
): void {
  if (!isRetained(v, call.ctx.receivedAt)) return;
  const current = Date.parse(v.meta.lockUntil as string);
  const weaker =
    next.until === undefined ||
    Date.parse(next.until) < current ||
    (v.meta.lockMode === "COMPLIANCE" && next.mode !== "COMPLIANCE");
  if (!weaker) return;
  if (v.meta.lockMode === "GOVERNANCE" && mayBypassGovernance(call, rt, bucket, v.key)) return;
  throw S3Errors.accessDenied();
}
