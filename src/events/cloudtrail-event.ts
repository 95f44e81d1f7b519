/**
 * The CloudTrail record, as CloudTrail writes it in log files and returns it in
 * LookupEvents' CloudTrailEvent string.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
export const CURRENT_EVENT_VERSION = "1.11";

export type UserIdentityType =
  | "Root"
  | "IAMUser"
  | "AssumedRole"
  | "Role"
  | "FederatedUser"
  | "Directory"
  | "AWSAccount"
  | "AWSService"
  | "Unknown"
  | "SAMLUser"
  | "WebIdentityUser";

export interface SessionIssuer {
  type: string;
  principalId: string;
  arn: string;
  accountId: string;
  userName: string;
}

export interface SessionContext {
  attributes?: { creationDate: string; mfaAuthenticated: "true" | "false" };
  sessionIssuer?: SessionIssuer;
  webIdFederationData?: { federatedProvider?: string; attributes?: Record<string, string> };
  sourceIdentity?: string;
  ec2RoleDelivery?: string;
}

export interface UserIdentity {
  type: UserIdentityType | string;
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  sessionContext?: SessionContext;
  invokedBy?: string;
  identityProvider?: string;
}

export interface EventResource {
  ARN?: string;
  /** S3 listing calls name the listed prefix instead of one object. */
  ARNPrefix?: string;
  accountId?: string;
  type?: string;
}

export type EventCategory =
  | "Management"
  | "Data"
  | "Insight"
  | "NetworkActivity"
  | "ConfigurationItem"
  | "Evidence"
  | "ActivityAuditLog";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [k: string]: JsonValue };
export type JsonObject = { [k: string]: JsonValue };

/** A complete record. Field order in serialised form follows CloudTrail (see serialize-event.ts). */
export interface CloudTrailEventFields {
  eventVersion: string;
  userIdentity?: UserIdentity;
  eventTime: string;
  eventSource?: string;
  eventName?: string;
  awsRegion: string;
  sourceIPAddress?: string;
  userAgent?: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters?: JsonObject | null;
  responseElements?: JsonObject | null;
  additionalEventData?: JsonObject;
  requestID?: string;
  eventID: string;
  readOnly?: boolean;
  resources?: EventResource[];
  eventType: string;
  apiVersion?: string;
  managementEvent?: boolean;
  recipientAccountId?: string;
  serviceEventDetails?: JsonObject;
  sharedEventID?: string;
  vpcEndpointId?: string;
  eventCategory: EventCategory | string;
  addendum?: JsonObject;
  tlsDetails?: { tlsVersion?: string; cipherSuite?: string; clientProvidedHostHeader?: string };
  sessionCredentialFromConsole?: string;
  edgeDeviceDetails?: JsonObject;
  insightDetails?: JsonObject;
  omitted?: boolean;
}

/** Records may carry fields CloudTrail added after this list was written; they are kept. */
export type CloudTrailEvent = CloudTrailEventFields & { [extra: string]: unknown };
