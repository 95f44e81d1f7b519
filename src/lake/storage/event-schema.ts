/**
 * The columns of an event data store, as CloudTrail Lake's schema for CloudTrail events and for
 * ActivityAuditLog events from channels (reference §5.2): CloudTrail's field names and nesting,
 * `requestParameters` and the other free-form objects as `map<string,string>` whose nested
 * values are JSON text, `resources` as an array of structs, `eventTime` as a timestamp.
 * Column names keep the record's camelCase; DuckDB resolves names case-insensitively, so
 * `eventtime` and `userIdentity.principalid` work as in Lake.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-limitations.html
 */
const MAP = "MAP(VARCHAR, VARCHAR)";
const V = "VARCHAR";

const struct = (fields: Record<string, string>): string =>
  `STRUCT(${Object.entries(fields)
    .map(([k, t]) => `"${k}" ${t}`)
    .join(", ")})`;

const SESSION_ISSUER = struct({ type: V, principalId: V, arn: V, accountId: V, userName: V });

const USER_IDENTITY = struct({
  type: V,
  principalId: V,
  arn: V,
  accountId: V,
  accessKeyId: V,
  userName: V,
  sessionContext: struct({
    attributes: struct({ creationDate: "TIMESTAMP", mfaAuthenticated: V }),
    sessionIssuer: SESSION_ISSUER,
    webIdFederationData: struct({ federatedProvider: V, attributes: MAP }),
    sourceIdentity: V,
    ec2RoleDelivery: V,
    ec2IssuedInVpc: V,
  }),
  invokedBy: V,
  identityProvider: V,
});

/** Integration events (PutAuditEvents): the application's own record under `eventData`. */
const EVENT_DATA = struct({
  version: V,
  userIdentity: struct({ type: V, principalId: V, details: MAP }),
  userAgent: V,
  eventSource: V,
  eventName: V,
  eventTime: V,
  UID: V,
  requestParameters: MAP,
  responseElements: MAP,
  errorCode: V,
  errorMessage: V,
  sourceIPAddress: V,
  recipientAccountId: V,
  additionalEventData: MAP,
});

/** Column name → DuckDB type, in CloudTrail's record order. */
export const EVENT_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ["eventVersion", V],
  ["userIdentity", USER_IDENTITY],
  ["eventTime", "TIMESTAMP"],
  ["eventSource", V],
  ["eventName", V],
  ["awsRegion", V],
  ["sourceIPAddress", V],
  ["userAgent", V],
  ["errorCode", V],
  ["errorMessage", V],
  ["requestParameters", MAP],
  ["responseElements", MAP],
  ["additionalEventData", MAP],
  ["requestID", V],
  ["eventID", V],
  ["readOnly", "BOOLEAN"],
  ["resources", `${struct({ accountId: V, type: V, ARN: V, ARNPrefix: V })}[]`],
  ["eventType", V],
  ["apiVersion", V],
  ["managementEvent", "BOOLEAN"],
  ["recipientAccountId", V],
  ["sharedEventID", V],
  ["annotation", V],
  ["vpcEndpointId", V],
  ["serviceEventDetails", MAP],
  ["addendum", MAP],
  ["edgeDeviceDetails", MAP],
  ["insightDetails", MAP],
  ["eventCategory", V],
  ["tlsDetails", struct({ tlsVersion: V, cipherSuite: V, clientProvidedHostHeader: V })],
  ["sessionCredentialFromConsole", V],
  ["metadata", struct({ ingestionTime: "TIMESTAMP", channelARN: V })],
  ["eventData", EVENT_DATA],
];

/** The `columns={...}` argument of DuckDB's read_json for one record per line. */
export function readJsonColumns(): string {
  return `{${EVENT_COLUMNS.map(([name, type]) => `"${name}": '${type}'`).join(", ")}}`;
}

/** A typed empty relation with the store's columns (a store without files yet). */
export function emptyEventsSql(): string {
  return `SELECT ${EVENT_COLUMNS.map(([name, type]) => `CAST(NULL AS ${type}) AS "${name}"`).join(", ")} WHERE false`;
}

/** Partition folder of an event: its UTC day. */
export function partitionOf(eventTime: string): string {
  return eventTime.slice(0, 10);
}
