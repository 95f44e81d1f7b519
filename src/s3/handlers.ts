import type { OperationHandler } from "./call.js";
import { deleteBucketPolicy, getBucketPolicy, putBucketPolicy } from "./ops/bucket-policy.js";
import {
  createBucket,
  deleteBucket,
  getBucketAcl,
  getBucketLocation,
  headBucket,
  listBuckets,
} from "./ops/buckets.js";
import { copyObject } from "./ops/copy-object.js";
import { deleteObject, deleteObjects } from "./ops/delete-objects.js";
import { listObjects, listObjectsV2 } from "./ops/list-objects.js";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listParts,
  uploadPart,
} from "./ops/multipart.js";
import {
  getObjectLegalHold,
  getObjectLockConfiguration,
  getObjectRetention,
  putObjectLegalHold,
  putObjectLockConfiguration,
  putObjectRetention,
} from "./ops/object-lock.js";
import { getObject, headObject, putObject } from "./ops/objects.js";
import { getBucketVersioning, listObjectVersions, putBucketVersioning } from "./ops/versioning.js";

/**
 * The implemented S3 operations, by API name. Any other operation the router recognises is
 * answered 501 NotImplemented (and still recorded).
 */
export const HANDLERS: Readonly<Record<string, OperationHandler>> = {
  ListBuckets: listBuckets,
  CreateBucket: createBucket,
  DeleteBucket: deleteBucket,
  HeadBucket: headBucket,
  GetBucketLocation: getBucketLocation,
  GetBucketAcl: getBucketAcl,
  PutBucketPolicy: putBucketPolicy,
  GetBucketPolicy: getBucketPolicy,
  DeleteBucketPolicy: deleteBucketPolicy,
  PutBucketVersioning: putBucketVersioning,
  GetBucketVersioning: getBucketVersioning,
  PutObjectLockConfiguration: putObjectLockConfiguration,
  GetObjectLockConfiguration: getObjectLockConfiguration,
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  CopyObject: copyObject,
  DeleteObject: deleteObject,
  DeleteObjects: deleteObjects,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  ListObjectVersions: listObjectVersions,
  PutObjectRetention: putObjectRetention,
  GetObjectRetention: getObjectRetention,
  PutObjectLegalHold: putObjectLegalHold,
  GetObjectLegalHold: getObjectLegalHold,
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
};
