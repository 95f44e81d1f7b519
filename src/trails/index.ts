export { type BucketAuthorizer, cloudTrailBucketPolicyCheck } from "./bucket-policy.js";
export type {
  BucketPolicyCheck,
  BucketPolicyRequest,
  PutObjectOptions,
  TrailBucketStore,
} from "./bucket-store.js";
export { digestStringToSign } from "./digest/digest-file.js";
export type { TrailInsightSettings, TrailInsightsAccess } from "./insight-settings.js";
export { compileSelectors, type EventPredicate } from "./selectors/index.js";
export { type TaggableKind, tagHandlers, validateTags } from "./tag-handlers.js";
export {
  createTrailsService,
  defaultTrailRegions,
  type TrailsHandlers,
  type TrailsService,
  type TrailsServiceDeps,
} from "./trails-service.js";
export * from "./validate/index.js";
