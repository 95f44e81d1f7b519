import { type ParsedXml, S3_XMLNS } from "../../protocol/rest-xml.js";
import type { OperationHandler, S3Call } from "../call.js";
import { S3Errors } from "../errors.js";
import { assertRetentionChange, parseLockMode } from "../lock-rules.js";
import type { DefaultRetention } from "../model.js";
import { emptyResponse, xmlResponse } from "../responses.js";
import type { S3Runtime } from "../runtime.js";
import { resolveVersion } from "../versions.js";
import { textField, xmlBody } from "./request-body.js";

/**
 * Object Lock configuration (bucket default retention) and per-version retention / legal hold.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectLockConfiguration.html
 */
function positiveInt(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) {
    throw S3Errors.invalidArgument(
      "Default retention period must be a positive integer value",
      "Days/Years",
      text,
    );
  }
  return n;
}

function defaultRetentionOf(conf: ParsedXml): DefaultRetention | undefined {
  const rule = conf.Rule;
  if (rule === undefined) return undefined;
  if (typeof rule !== "object" || Array.isArray(rule)) throw S3Errors.malformedXml();
  const dr = rule.DefaultRetention;
  if (!dr || typeof dr !== "object" || Array.isArray(dr)) throw S3Errors.malformedXml();
  const mode = parseLockMode(textField(dr, "Mode", true));
  const days = positiveInt(textField(dr, "Days"));
  const years = positiveInt(textField(dr, "Years"));
  if ((days === undefined) === (years === undefined)) throw S3Errors.malformedXml();
  return { mode, days, years };
}

export const putObjectLockConfiguration: OperationHandler = async (call, rt) => {
  const bucket = rt.authorize(call, "s3:PutBucketObjectLockConfiguration");
  const conf = xmlBody(call, "ObjectLockConfiguration");
  if (textField(conf, "ObjectLockEnabled") !== "Enabled") throw S3Errors.malformedXml();
  const rule = defaultRetentionOf(conf);
  if (!bucket.objectLockEnabled && bucket.versioning !== "Enabled") {
    throw S3Errors.invalidBucketState(
      "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration",
    );
  }
  call.audit.requestParameters.ObjectLockConfiguration = {
    xmlns: S3_XMLNS,
    ObjectLockEnabled: "Enabled",
    ...(rule
      ? {
          Rule: {
            DefaultRetention: {
              Mode: rule.mode,
              ...(rule.days ? { Days: rule.days } : { Years: rule.years ?? 0 }),
            },
          },
        }
      : {}),
  };
  rt.index.updateBucket(bucket.name, { objectLockEnabled: true, defaultRetention: rule });
  return emptyResponse(200);
};

export const getObjectLockConfiguration: OperationHandler = async (call, rt) => {
  const bucket = rt.authorize(call, "s3:GetBucketObjectLockConfiguration");
  if (!bucket.objectLockEnabled) throw S3Errors.objectLockConfigurationNotFound(bucket.name);
  const rule = bucket.defaultRetention;
  return xmlResponse("ObjectLockConfiguration", {
    ObjectLockEnabled: "Enabled",
    Rule: rule ? { DefaultRetention: { Mode: rule.mode, Days: rule.days, Years: rule.years } } : undefined,
  });
};

function lockedVersion(call: S3Call, rt: S3Runtime, action: string) {
  const key = call.key as string;
  const bucket = rt.authorize(call, action, key);
  if (!bucket.objectLockEnabled) throw S3Errors.invalidRequest("Bucket is missing Object Lock Configuration");
  return { bucket, version: resolveVersion(rt, bucket.name, key, call.req.query.get("versionId")) };
}

export const putObjectRetention: OperationHandler = async (call, rt) => {
  const { bucket, version } = lockedVersion(call, rt, "s3:PutObjectRetention");
  const doc = xmlBody(call, "Retention");
  const modeText = textField(doc, "Mode");
  const untilText = textField(doc, "RetainUntilDate");
  const mode = modeText === undefined ? undefined : parseLockMode(modeText);
  if ((mode === undefined) !== (untilText === undefined)) throw S3Errors.malformedXml();
  const until = untilText === undefined ? undefined : Date.parse(untilText);
  if (until !== undefined && Number.isNaN(until)) throw S3Errors.malformedXml();
  if (until !== undefined && until <= call.ctx.receivedAt.getTime()) {
    throw S3Errors.invalidArgument("The retain until date must be in the future!");
  }
  const next = { mode, until: until === undefined ? undefined : new Date(until).toISOString() };
  // Checked and written with no await in between.
  assertRetentionChange(call, rt, bucket, version, next);
  rt.index.updateMeta(version, { ...version.meta, lockMode: next.mode, lockUntil: next.until });
  return emptyResponse(200);
};

export const getObjectRetention: OperationHandler = async (call, rt) => {
  const { version } = lockedVersion(call, rt, "s3:GetObjectRetention");
  if (!version.meta.lockMode) throw S3Errors.noSuchObjectLockConfiguration();
  return xmlResponse("Retention", { Mode: version.meta.lockMode, RetainUntilDate: version.meta.lockUntil });
};

export const putObjectLegalHold: OperationHandler = async (call, rt) => {
  const { version } = lockedVersion(call, rt, "s3:PutObjectLegalHold");
  const status = textField(xmlBody(call, "LegalHold"), "Status", true);
  if (status !== "ON" && status !== "OFF") throw S3Errors.malformedXml();
  rt.index.updateMeta(version, { ...version.meta, legalHold: status });
  return emptyResponse(200);
};

export const getObjectLegalHold: OperationHandler = async (call, rt) => {
  const { version } = lockedVersion(call, rt, "s3:GetObjectLegalHold");
  if (!version.meta.legalHold) throw S3Errors.noSuchObjectLockConfiguration();
  return xmlResponse("LegalHold", { Status: version.meta.legalHold });
};
