import type { Destination, IngestionStatus, Tag } from "@aws-sdk/client-cloudtrail";
import { LakeErrors } from "../lake-errors.js";

/**
 * A channel: how applications outside AWS send ActivityAuditLog events (PutAuditEvents) into
 * event data stores. OpenTrail supports the `Custom` source with event data store destinations.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/query-event-data-store-integration.html
 */
export interface ChannelRecord {
  id: string;
  arn: string;
  name: string;
  accountId: string;
  region: string;
  source: string;
  /** Event data store ARNs. */
  destinations: string[];
  tags: Tag[];
  createdAt: number;
  ingestion: IngestionStatusRecord;
  /** The resource-based policy (PutResourcePolicy), as submitted. */
  resourcePolicy?: string;
}

export interface IngestionStatusRecord {
  latestSuccessTime?: number;
  latestSuccessEventId?: string;
  latestErrorCode?: string;
  latestAttemptTime?: number;
  latestAttemptEventId?: string;
}

export const MAX_CHANNELS = 25;
export const MAX_DESTINATIONS = 200;
const NAME = /^[a-zA-Z0-9._-]{3,128}$/;
const ARN = /^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):(\d{12}):channel\/([a-zA-Z0-9-]+)$/;
const ID = /^[a-zA-Z0-9-]{36}$/;

export function channelArn(region: string, accountId: string, id: string): string {
  return `arn:aws:cloudtrail:${region}:${accountId}:channel/${id}`;
}

export function parseChannelRef(ref: string): { id: string; accountId?: string } {
  const m = ARN.exec(ref);
  if (m) return { accountId: m[2], id: (m[3] as string).toLowerCase() };
  if (ref.startsWith("arn:") || !ID.test(ref)) throw LakeErrors.channelArnInvalid(ref);
  return { id: ref.toLowerCase() };
}

export function validateChannelName(name: string): void {
  if (!NAME.test(name))
    throw LakeErrors.invalidParameter(
      `Channel name ${name} is not valid: use 3 to 128 letters, digits, periods, underscores or hyphens.`,
    );
}

export function validateDestinations(destinations: Destination[]): void {
  if (destinations.length < 1 || destinations.length > MAX_DESTINATIONS)
    throw LakeErrors.invalidParameter(`A channel needs 1 to ${MAX_DESTINATIONS} destinations.`);
  for (const d of destinations) {
    if (d.Type !== "EVENT_DATA_STORE")
      throw LakeErrors.invalidParameter(
        `Destination type ${d.Type} is not supported; OpenTrail channels deliver to EVENT_DATA_STORE.`,
      );
    const location = d.Location ?? "";
    if (location.length < 3 || location.length > 1024)
      throw LakeErrors.invalidParameter("A destination Location must be 3 to 1024 characters.");
  }
}

export function toIngestionStatus(s: IngestionStatusRecord): IngestionStatus {
  const at = (ms?: number) => (ms === undefined ? undefined : new Date(ms));
  return {
    LatestIngestionSuccessTime: at(s.latestSuccessTime),
    LatestIngestionSuccessEventID: s.latestSuccessEventId,
    LatestIngestionErrorCode: s.latestErrorCode,
    LatestIngestionAttemptTime: at(s.latestAttemptTime),
    LatestIngestionAttemptEventID: s.latestAttemptEventId,
  };
}
