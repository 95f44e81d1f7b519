import { toAuditObject } from "../events/audit-values.js";
import { loadServiceModel } from "../protocol/service-model.js";
import { defineJsonService, type HandlerTable, type JsonService } from "./json-service.js";
import type { ServiceAudit } from "./service-audit.js";

export const cloudTrailModel = loadServiceModel("cloudtrail-2013-11-01");

/**
 * Operations of the CloudTrail API that OpenTrail does not implement yet. They answer
 * UnsupportedOperationException (HTTP 501) and are still recorded. An operation leaves this list
 * when the issue that builds it lands; start-up fails if one is in neither place.
 */
export const NOT_YET_IMPLEMENTED = [
  // Event data store settings (Insights' operations are in src/insights)
  "PutEventConfiguration", "GetEventConfiguration",
  // Lake (event data stores, queries, channels and imports are in src/lake)
  "EnableFederation", "DisableFederation", "GenerateQuery", "SearchSampleQueries",
  "CreateDashboard", "GetDashboard", "UpdateDashboard", "DeleteDashboard", "ListDashboards", "StartDashboardRefresh",
  "RegisterOrganizationDelegatedAdmin", "DeregisterOrganizationDelegatedAdmin",
] as const; // biome-ignore format: one line per group reads better

const READ_ONLY = /^(Describe|Get|List|Lookup|SearchSampleQueries)/;

/**
 * CloudTrail records calls to its own API as management events from
 * `cloudtrail.amazonaws.com`: request parameters in camelCase, responseElements only for
 * write calls (null for Describe/Get/List/Lookup and for empty outputs), as in real records.
 */
export const cloudTrailAudit: ServiceAudit = {
  eventSource: "cloudtrail.amazonaws.com",
  isReadOnly: (op) => READ_ONLY.test(op),
  requestParameters: (_op, input) => toAuditObject(input),
  responseElements: (op, _input, output) => (READ_ONLY.test(op) ? null : toAuditObject(output)),
};

export function createCloudTrailApi(handlers: HandlerTable): JsonService {
  return defineJsonService(cloudTrailModel, handlers, NOT_YET_IMPLEMENTED, cloudTrailAudit);
}
