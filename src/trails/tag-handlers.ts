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
 * AddTags, RemoveTags, ListTags (50 tags per resource, 200 per request; reference §1.4) over
 * every kind of resource that takes tags: trails here, event data stores and channels from Lake.
 * A dashboard ARN answers ResourceNotFoundException, CloudTrail's answer for a dashboard that
 * does not exist (OpenTrail has none), as the resource-policy operations do.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AddTags.html
 */
export const MAX_TAGS_PER_RESOURCE = 50;
const MAX_TAGS_PER_REQUEST = 200;
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
/** The resource type of a CloudTrail ARN: `trail`, `eventdatastore`, `channel`, `dashboard`. */
const RESOURCE_TYPE = /^arn:[^:]+:cloudtrail:[^:]*:\d{12}:([a-z]+)\//;

/** One tagged resource, found for the caller. */
export interface TaggedResource {
  readonly tags: Tag[];
  saveTags(tags: Tag[]): void;
}

/** The resources of one ARN resource type; `find` throws that type's not-found errors. */
export interface TaggableKind {
  resourceType: string;
  find(arn: string, ctx: RequestContext): TaggedResource;
}

export function tagHandlers(kinds: readonly TaggableKind[]) {
  const find = (resourceId: string | undefined, ctx: RequestContext): TaggedResource => {
    const arn = resourceId ?? "";
    const type = RESOURCE_TYPE.exec(arn)?.[1];
    const kind = kinds.find((k) => k.resourceType === type);
    if (kind) return kind.find(arn, ctx);
    if (type === "dashboard") throw TrailErrors.resourceNotFound(arn);
    // Event data stores and channels, when no Lake is composed.
    if (type === "eventdatastore" || type === "channel") throw TrailErrors.resourceTypeNotSupported(arn);
    throw TrailErrors.arnInvalid(arn);
  };
  return {
    AddTags: async (input: AddTagsRequest, ctx: RequestContext): Promise<AddTagsResponse> => {
      const resource = find(input.ResourceId, ctx);
      resource.saveTags(validateTags(resource.tags, input.TagsList ?? []));
      return {};
    },

    RemoveTags: async (input: RemoveTagsRequest, ctx: RequestContext): Promise<RemoveTagsResponse> => {
      const resource = find(input.ResourceId, ctx);
      const list = input.TagsList ?? [];
      if (list.length > MAX_TAGS_PER_REQUEST) throw TrailErrors.tagsLimitExceeded();
      const doomed = new Set(list.map((t) => t.Key));
      resource.saveTags(resource.tags.filter((t) => !doomed.has(t.Key)));
      return {};
    },

    ListTags: async (input: ListTagsRequest, ctx: RequestContext): Promise<ListTagsResponse> => {
      const ids = input.ResourceIdList ?? [];
      return {
        ResourceTagList: ids.map((id) => ({ ResourceId: id, TagsList: find(id, ctx).tags })),
      };
    },
  };
}

/** Trails as a TaggableKind. */
export function trailTags(rt: TrailsRuntime): TaggableKind {
  return {
    resourceType: "trail",
    find(arn, ctx) {
      const entry = trailByArn(rt, arn, ctx);
      return {
        tags: entry.record.config.tags,
        saveTags(tags) {
          entry.record.config = { ...entry.record.config, tags };
          rt.registry.save(entry);
        },
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

function trailByArn(rt: TrailsRuntime, arn: string, ctx: RequestContext): TrailEntry {
  const parsed = parseTrailArn(arn);
  if (!parsed || trailNameProblem(parsed.name)) throw TrailErrors.arnInvalid(arn);
  const entry = rt.registry
    .visibleIn(ctx.principal.accountId, ctx.region)
    .find((e) => e.record.config.arn === arn);
  if (!entry) throw TrailErrors.resourceNotFound(arn);
  return entry;
}
