import { randomBytes } from "node:crypto";
import type {
  CreateTrailRequest,
  CreateTrailResponse,
  DeleteTrailRequest,
  DeleteTrailResponse,
  UpdateTrailRequest,
  UpdateTrailResponse,
} from "@aws-sdk/client-cloudtrail";
import type { RequestContext } from "../server/request-context.js";
import { validateTags } from "./tag-handlers.js";
import { TrailErrors } from "./trail-errors.js";
import { DEFAULT_EVENT_SELECTORS, epochOf, type TrailConfig } from "./trail-model.js";
import { assertTrailName, formatTrailArn, parseTrailRef } from "./trail-name.js";
import { MAX_TRAILS_PER_REGION } from "./trail-registry.js";
import {
  assertBucketName,
  assertCloudWatchLogs,
  assertMultiRegionGlobal,
  blankToUndefined,
  kmsKeyArn,
  normalizePrefix,
  snsTopic,
} from "./trail-settings.js";
import { toTrailResponse } from "./trail-view.js";
import { assertDeliverable, type TrailsRuntime } from "./trails-runtime.js";

/**
 * CreateTrail, UpdateTrail, DeleteTrail. A new trail does not log until StartLogging, as in
 * CloudTrail. https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html
 */
export function trailWriteHandlers(rt: TrailsRuntime) {
  return {
    CreateTrail: async (input: CreateTrailRequest, ctx: RequestContext): Promise<CreateTrailResponse> => {
      const name = input.Name ?? "";
      assertTrailName(name);
      const { accountId } = ctx.principal;
      const region = ctx.region;
      if (input.IsOrganizationTrail) throw TrailErrors.organizationsNotInUse();
      const config = buildConfig(rt, input, { name, accountId, region });
      assertUnique(rt, config);
      assertRoom(rt, config, regionsOf(rt, config));
      await assertDeliverable(rt, deliverTarget(config));
      assertUnique(rt, config); // again: another CreateTrail may have run during the checks
      const entry = rt.registry.add(
        { config, status: { isLogging: false } },
        epochOf(config, false, rt.logEnd(), rt.now()),
      );
      rt.created(entry);
      return toTrailResponse(config);
    },

    UpdateTrail: async (input: UpdateTrailRequest, ctx: RequestContext): Promise<UpdateTrailResponse> => {
      const entry = rt.registry.resolveHome(parseTrailRef(input.Name), ctx.principal.accountId, ctx.region);
      const before = entry.record.config;
      if (input.IsOrganizationTrail) throw TrailErrors.organizationsNotInUse();
      const next = applyUpdate(rt, before, input);
      if (next.isMultiRegionTrail && !before.isMultiRegionTrail)
        assertRoom(
          rt,
          next,
          regionsOf(rt, next).filter((r) => r !== next.homeRegion),
        );
      if (next.s3BucketName !== before.s3BucketName || next.s3KeyPrefix !== before.s3KeyPrefix)
        await assertDeliverable(rt, deliverTarget(next));
      if (rt.registry.get(next.id) !== entry) throw TrailErrors.trailNotFound(next.arn, next.accountId);
      entry.record.config = next;
      rt.registry.save(entry, epochOf(next, entry.record.status.isLogging, rt.logEnd(), rt.now()));
      return toTrailResponse(next);
    },

    DeleteTrail: async (input: DeleteTrailRequest, ctx: RequestContext): Promise<DeleteTrailResponse> => {
      const entry = rt.registry.resolveHome(parseTrailRef(input.Name), ctx.principal.accountId, ctx.region);
      await rt.deleting(entry);
      rt.registry.remove(entry.record.config.id);
      return {};
    },
  };
}

function buildConfig(
  rt: TrailsRuntime,
  input: CreateTrailRequest,
  who: { name: string; accountId: string; region: string },
): TrailConfig {
  const { name, accountId, region } = who;
  const bucket = input.S3BucketName ?? "";
  assertBucketName(bucket);
  const isMultiRegionTrail = input.IsMultiRegionTrail ?? false;
  const includeGlobalServiceEvents = input.IncludeGlobalServiceEvents ?? true;
  assertMultiRegionGlobal(isMultiRegionTrail, includeGlobalServiceEvents);
  assertCloudWatchLogs(input.CloudWatchLogsLogGroupArn, input.CloudWatchLogsRoleArn);
  const topic = input.SnsTopicName ? publishableTopic(rt, input.SnsTopicName, region, accountId) : undefined;
  const now = rt.now();
  return {
    id: randomBytes(8).toString("hex"),
    arn: formatTrailArn(region, accountId, name),
    name,
    accountId,
    homeRegion: region,
    s3BucketName: bucket,
    s3KeyPrefix: normalizePrefix(input.S3KeyPrefix),
    snsTopicName: topic?.name,
    snsTopicArn: topic?.arn,
    includeGlobalServiceEvents,
    isMultiRegionTrail,
    logFileValidationEnabled: input.EnableLogFileValidation ?? false,
    cloudWatchLogsLogGroupArn: input.CloudWatchLogsLogGroupArn,
    cloudWatchLogsRoleArn: input.CloudWatchLogsRoleArn,
    kmsKeyId: input.KmsKeyId ? kmsKeyArn(input.KmsKeyId, region, accountId) : undefined,
    eventSelectors: DEFAULT_EVENT_SELECTORS,
    hasCustomEventSelectors: false,
    tags: validateTags([], input.TagsList ?? []),
    createdAt: now,
  };
}

/**
 * CloudTrail refuses a topic it cannot publish to (missing, or its policy does not allow
 * cloudtrail.amazonaws.com) with InsufficientSnsTopicPolicyException; in OpenTrail a topic
 * exists when `--sns-endpoint` names an endpoint for it.
 */
function publishableTopic(rt: TrailsRuntime, topic: string, region: string, accountId: string) {
  const parsed = snsTopic(topic, region, accountId);
  if (!rt.hasSnsTopic(parsed.arn)) throw TrailErrors.insufficientSnsTopicPolicy(parsed.arn);
  return parsed;
}

function applyUpdate(rt: TrailsRuntime, before: TrailConfig, input: UpdateTrailRequest): TrailConfig {
  const next: TrailConfig = { ...before };
  const { homeRegion: region, accountId } = before;
  if (input.S3BucketName !== undefined) {
    assertBucketName(input.S3BucketName);
    next.s3BucketName = input.S3BucketName;
  }
  if (input.S3KeyPrefix !== undefined) next.s3KeyPrefix = normalizePrefix(input.S3KeyPrefix);
  if (input.SnsTopicName !== undefined) {
    const topic = input.SnsTopicName
      ? publishableTopic(rt, input.SnsTopicName, region, accountId)
      : undefined;
    next.snsTopicName = topic?.name;
    next.snsTopicArn = topic?.arn;
  }
  if (input.IncludeGlobalServiceEvents !== undefined)
    next.includeGlobalServiceEvents = input.IncludeGlobalServiceEvents;
  if (input.IsMultiRegionTrail !== undefined) next.isMultiRegionTrail = input.IsMultiRegionTrail;
  if (input.EnableLogFileValidation !== undefined)
    next.logFileValidationEnabled = input.EnableLogFileValidation;
  if (input.CloudWatchLogsLogGroupArn !== undefined || input.CloudWatchLogsRoleArn !== undefined) {
    next.cloudWatchLogsLogGroupArn = blankToUndefined(
      input.CloudWatchLogsLogGroupArn ?? before.cloudWatchLogsLogGroupArn,
    );
    next.cloudWatchLogsRoleArn = blankToUndefined(
      input.CloudWatchLogsRoleArn ?? before.cloudWatchLogsRoleArn,
    );
    assertCloudWatchLogs(next.cloudWatchLogsLogGroupArn, next.cloudWatchLogsRoleArn);
  }
  if (input.KmsKeyId !== undefined)
    next.kmsKeyId = input.KmsKeyId ? kmsKeyArn(input.KmsKeyId, region, accountId) : undefined;
  assertMultiRegionGlobal(next.isMultiRegionTrail, next.includeGlobalServiceEvents);
  return next;
}

function regionsOf(rt: TrailsRuntime, c: TrailConfig): string[] {
  return c.isMultiRegionTrail ? [...new Set([c.homeRegion, ...rt.regions])] : [c.homeRegion];
}

/** Names are unique among the trails that apply in the Region, shadows included. */
function assertUnique(rt: TrailsRuntime, c: TrailConfig): void {
  const clash = rt.registry.visibleIn(c.accountId, c.homeRegion).find((e) => e.record.config.name === c.name);
  if (clash) throw TrailErrors.trailAlreadyExists(clash.record.config.arn);
}

function assertRoom(rt: TrailsRuntime, c: TrailConfig, regions: string[]): void {
  for (const region of regions) {
    if (rt.registry.countIn(c.accountId, region) >= MAX_TRAILS_PER_REGION)
      throw TrailErrors.maximumTrails(c.accountId, region);
  }
}

function deliverTarget(c: TrailConfig) {
  return {
    bucket: c.s3BucketName,
    prefix: c.s3KeyPrefix,
    accountId: c.accountId,
    trailArn: c.arn,
    region: c.homeRegion,
  };
}
