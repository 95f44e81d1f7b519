import type { DeliveryStatus, QueryStatus } from "@aws-sdk/client-cloudtrail";

/** A query as kept for seven days (reference §5.3): status, statistics, where its rows are. */
export interface QueryRecord {
  id: string;
  /** The caller's account: only it sees the query. */
  accountId: string;
  /** The account owning the stores read, when another account granted them (resource policies). */
  ownerAccountId?: string;
  /** The event data stores the statement reads (ARNs). */
  storeArns: string[];
  statement: string;
  status: QueryStatus;
  createdAt: number;
  endedAt?: number;
  errorMessage?: string;
  deliveryS3Uri?: string;
  deliveryStatus?: DeliveryStatus;
  eventsScanned: number;
  bytesScanned: number;
  executionMs: number;
  resultsCount: number;
  columns: string[];
  /** Byte offsets of every INDEX_STEP-th row of the result file. */
  offsets: number[];
}

export const ACTIVE_STATUSES: ReadonlySet<QueryStatus> = new Set(["QUEUED", "RUNNING"]);

/** CloudTrail keeps query results and lists queries for seven days after they finish. */
export const RESULT_RETENTION_MS = 7 * 86_400_000;

/** Quota L-72996F38: concurrent (queued or running) queries per account. */
export const MAX_CONCURRENT_QUERIES = 10;
