import type {
  AdvancedEventSelector,
  BillingMode,
  EventDataStoreStatus,
  GetEventDataStoreResponse,
  Tag,
} from "@aws-sdk/client-cloudtrail";
import { LakeErrors } from "../lake-errors.js";

/** An event data store as OpenTrail keeps it. */
export interface StoreRecord {
  id: string;
  arn: string;
  name: string;
  accountId: string;
  region: string;
  status: EventDataStoreStatus;
  selectors: AdvancedEventSelector[];
  multiRegionEnabled: boolean;
  organizationEnabled: boolean;
  retentionPeriod: number;
  terminationProtectionEnabled: boolean;
  billingMode: BillingMode;
  kmsKeyId?: string;
  tags: Tag[];
  createdAt: number;
  updatedAt: number;
  /** When DeleteEventDataStore put it in PENDING_DELETION. */
  deletedAt?: number;
  /** The resource-based policy (PutResourcePolicy), as submitted. */
  resourcePolicy?: string;
}

/** Limits from reference §5.4 and §7. */
export const MAX_STORES_PER_REGION = 10;
export const PENDING_DELETION_MS = 7 * 86_400_000;
const MIN_RETENTION = 7;
const MAX_RETENTION = { EXTENDABLE_RETENTION_PRICING: 3653, FIXED_RETENTION_PRICING: 2557 } as const;
const DEFAULT_RETENTION = { EXTENDABLE_RETENTION_PRICING: 366, FIXED_RETENTION_PRICING: 2557 } as const;
const NAME = /^[a-zA-Z0-9._-]{3,128}$/;
const KMS_KEY = /^[a-zA-Z0-9._/\-:]{1,350}$/;
const ID = /^[a-zA-Z0-9-]{36}$/;
const ARN = /^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):eventdatastore\/([a-zA-Z0-9-]+)$/;

/** What CloudTrail selects for a store created without selectors: all management events. */
export const DEFAULT_STORE_SELECTORS: AdvancedEventSelector[] = [
  { Name: "Default management events", FieldSelectors: [{ Field: "eventCategory", Equals: ["Management"] }] },
];

export function storeArn(region: string, accountId: string, id: string): string {
  return `arn:aws:cloudtrail:${region}:${accountId}:eventdatastore/${id}`;
}

/** The ID in an event data store ARN or bare ID; EventDataStoreARNInvalid if it is neither. */
export function parseStoreRef(ref: string): { id: string; accountId?: string; region?: string } {
  const m = ARN.exec(ref);
  if (m) return { region: m[1], accountId: m[2], id: (m[3] as string).toLowerCase() };
  if (ref.startsWith("arn:") || !ID.test(ref)) throw LakeErrors.storeArnInvalid(ref);
  return { id: ref.toLowerCase() };
}

export function validateStoreName(name: string): void {
  if (!NAME.test(name))
    throw LakeErrors.invalidParameter(
      `Event data store name ${name} is not valid: use 3 to 128 letters, digits, periods, underscores or hyphens.`,
    );
}

export function validateKmsKeyId(keyId: string | undefined): void {
  if (keyId !== undefined && !KMS_KEY.test(keyId)) throw LakeErrors.invalidKmsKeyId(keyId);
}

export function resolveBillingMode(mode: string | undefined): BillingMode {
  const m = mode ?? "EXTENDABLE_RETENTION_PRICING";
  if (m !== "EXTENDABLE_RETENTION_PRICING" && m !== "FIXED_RETENTION_PRICING")
    throw LakeErrors.invalidParameter(`BillingMode ${m} is not valid.`);
  return m;
}

/** RetentionPeriod: 7–3653 days (2557 with fixed retention pricing); defaults per billing mode. */
export function resolveRetention(days: number | undefined, mode: BillingMode): number {
  if (days === undefined) return DEFAULT_RETENTION[mode as keyof typeof DEFAULT_RETENTION];
  const max = MAX_RETENTION[mode as keyof typeof MAX_RETENTION];
  if (!Number.isInteger(days) || days < MIN_RETENTION || days > max)
    throw LakeErrors.invalidParameter(
      `RetentionPeriod must be between ${MIN_RETENTION} and ${max} days for ${mode}; got ${days}.`,
    );
  return days;
}

/** The oldest eventTime the store keeps. */
export function retentionCutoff(store: StoreRecord, now: number): Date {
  return new Date(now - store.retentionPeriod * 86_400_000);
}

export function toEventDataStore(s: StoreRecord): GetEventDataStoreResponse {
  return {
    EventDataStoreArn: s.arn,
    Name: s.name,
    Status: s.status,
    AdvancedEventSelectors: s.selectors,
    MultiRegionEnabled: s.multiRegionEnabled,
    OrganizationEnabled: s.organizationEnabled,
    RetentionPeriod: s.retentionPeriod,
    TerminationProtectionEnabled: s.terminationProtectionEnabled,
    CreatedTimestamp: new Date(s.createdAt),
    UpdatedTimestamp: new Date(s.updatedAt),
    KmsKeyId: s.kmsKeyId,
    BillingMode: s.billingMode,
  };
}
