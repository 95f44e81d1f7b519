/**
 * Where trails deliver when the built-in S3 store is replaced by an upstream (`--upstream
 * s3=URL`): the upstream itself, through the external-S3 client, so delivered logs are where
 * the clients' S3 calls look. The upstream's bucket policies cannot be evaluated from here;
 * delivery is allowed to any bucket the upstream says exists.
 */
import type { UpstreamConfig } from "../config/config.js";
import { ExternalObjectStore } from "../s3/index.js";
import type { BucketPolicyCheck, TrailBucketStore } from "../trails/index.js";

export function upstreamBucketStore(
  upstream: UpstreamConfig,
  region: string,
): { store: TrailBucketStore; checkBucketPolicy: BucketPolicyCheck } {
  const store = new ExternalObjectStore({
    endpoint: upstream.url,
    region: upstream.region ?? region,
    // A pass-through upstream does not check signatures; any key pair will do.
    credentials: upstream.credentials ?? { accessKeyId: "OPENTRAIL", secretAccessKey: "OPENTRAIL" },
    forcePathStyle: true,
  });
  return { store, checkBucketPolicy: async (req) => (await store.headBucket(req.bucket)).exists };
}
