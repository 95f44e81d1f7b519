import type {
  AddTagsRequest,
  AddTagsResponse,
  ListTagsRequest,
  ListTagsResponse,
  RemoveTagsRequest,
  RemoveTagsResponse,
  Tag,
} from "@aws-sdk/client-cloudtrail";
import type { RequestContext } from "../server/request-context.js";
import { TrailErrors } from "./trail-errors.js";
import { parseTrailArn, trailNameProblem } from "./trail-name.js";
import type { TrailEntry } from "./trail-registry.js";
import type { TrailsRuntime } from "./trails-runtime.js";

/**
 * AddTags, RemoveTags, ListTags on trails (50 tags per resource, 200 per request; reference
 * §1.4). Event data store, channel and dashboard ARNs belong to CloudTrail Lake and answer
 * ResourceTypeNotSupportedException here until Lake takes them.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AddTags.html
 */
export const MAX_TAGS_PER_RESOURCE = 50;
const MAX_TAGS_PER_REQUEST = 200;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

export function tagHandlers(rt: TrailsRuntime) {
  return {
    AddTags: async (input: AddTagsRequest, ctx: RequestContext): Promise<AddTagsResponse> => {
      const entry = trailByArn(rt, input.ResourceId, ctx);
      const tags = validateTags(entry.record.config.tags, input.TagsList ?? []);
      entry.record.config = { ...entry.record.config, tags };
      rt.registry.save(entry);
      return {};
    },

    RemoveTags: async (input: RemoveTagsRequest, ctx: RequestContext): Promise<RemoveTagsResponse> => {
      const entry = trailByArn(rt, input.ResourceId, ctx);
      const list = input.TagsList ?? [];
      if (list.length > MAX_TAGS_PER_REQUEST) throw TrailErrors.tagsLimitExceeded();
      const doomed = new Set(list.map((t) => t.Key));
      entry.record.config = {
        ...entry.record.config,
        tags: entry.record.config.tags.filter((t) => !doomed.has(t.Key)),
      };
      rt.registry.save(entry);
      return {};
    },

    ListTags: async (input: ListTagsRequest, ctx: RequestContext): Promise<ListTagsResponse> => {
      const ids = input.ResourceIdList ?? [];
      return {
        ResourceTagList: ids.map((id) => ({
          ResourceId: id,
          TagsList: trailByArn(rt, id, ctx).record.config.tags,
        })),
      };
    },
  };
}

/** Merges `added` into `current` (same key replaces the value) after CloudTrail's checks. */
export function validateTags(current: Tag[], added: Tag[]): Tag[] {
  if (added.length > MAX_TAGS_PER_REQUEST) throw TrailErrors.tagsLimitExceeded();
  const merged = new Map(current.map((t) => [t.Key, t] as const));
  for (const tag of added) {
    const key = tag.Key ?? "";
    const value = tag.Value ?? "";
    if (key.length < 1 || key.length > 128 || !TAG_CHARS.test(key))
      throw TrailErrors.invalidTagParameter(
        `Tag key ${JSON.stringify(key)} is not valid: use 1 to 128 characters.`,
      );
    if (key.toLowerCase().startsWith("aws:"))
      throw TrailErrors.invalidTagParameter(`Tag keys starting with "aws:" are reserved: ${key}`);
    if (value.length > 256 || !TAG_CHARS.test(value))
      throw TrailErrors.invalidTagParameter(`Tag value for ${key} is not valid: use at most 256 characters.`);
    merged.set(key, tag.Value === undefined ? { Key: key } : { Key: key, Value: value });
  }
  if (merged.size > MAX_TAGS_PER_RESOURCE) throw TrailErrors.tagsLimitExceeded();
  return [...merged.values()];
}

function trailByArn(rt: TrailsRuntime, resourceId: string | undefined, ctx: RequestContext): TrailEntry {
  const arn = resourceId ?? "";
  if (/^arn:[^:]+:cloudtrail:[^:]*:\d{12}:(eventdatastore|channel|dashboard)\//.test(arn))
    throw TrailErrors.resourceTypeNotSupported(arn);
  const parsed = parseTrailArn(arn);
  if (!parsed || trailNameProblem(parsed.name)) throw TrailErrors.arnInvalid(arn);
  const entry = rt.registry
    .visibleIn(ctx.principal.accountId, ctx.region)
    .find((e) => e.record.config.arn === arn);
  if (!entry) throw TrailErrors.resourceNotFound(arn);
  return entry;
}
