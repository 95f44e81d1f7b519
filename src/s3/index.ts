/**
 * The built-in S3-compatible store (HTTP API with CloudTrail data and management events,
 * bucket policies, versioning, Object Lock) and the ObjectStore interface with its two
 * implementations: built-in (direct) and any external S3 endpoint.
 */
export {
  authorizeBucketAccess,
  type BucketAccessInfo,
  type BucketAccessRequest,
  type BucketAccessResult,
  bucketArn,
} from "./authorize.js";
export { BuiltinObjectStore } from "./builtin-store.js";
export { ExternalObjectStore, type ExternalS3Config } from "./external-store.js";
export type {
  BucketInfo,
  ObjectStore,
  ObjectSummary,
  PutObjectOptions,
  StoredObject,
} from "./object-store.js";
export { S3_DATA_OPERATIONS, S3_PREFIX_OPERATIONS } from "./operation-catalog.js";
export { parseBucketPolicy, type S3Logger } from "./runtime.js";
export { createS3Service, type S3Service, type S3ServiceOptions } from "./service.js";
