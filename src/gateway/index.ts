/**
 * The audit gateway: records calls to AWS-compatible services OpenTrail does not implement by
 * standing in front of them (`opentrail serve --upstream SERVICE=URL`).
 */
export { createGateway, type Gateway, GatewayConfigError, type GatewayOptions } from "./gateway.js";
export { ServiceModels } from "./service-models.js";
export { upstreamBucketStore } from "./upstream-buckets.js";
