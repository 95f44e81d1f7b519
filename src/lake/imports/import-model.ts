import type { GetImportResponse, ImportFailureListItem, ImportStatus } from "@aws-sdk/client-cloudtrail";

/** An import as kept in LakeDb (reference §1.3: ImportSource, ImportStatus, ImportStatistics). */
export interface ImportRecord {
  id: string;
  accountId: string;
  destinations: string[];
  source: { uri: string; bucketRegion: string; roleArn: string };
  startEventTime?: number;
  endEventTime?: number;
  status: ImportStatus;
  createdAt: number;
  updatedAt: number;
  stats: {
    prefixesFound: number;
    prefixesCompleted: number;
    filesCompleted: number;
    eventsCompleted: number;
    failedEntries: number;
  };
  /** Keys already processed, so a restarted import (StartImport with ImportId) resumes. */
  doneKeys: string[];
}

export const ONGOING: ReadonlySet<ImportStatus> = new Set(["INITIALIZING", "IN_PROGRESS"]);

export function toImportView(r: ImportRecord): GetImportResponse {
  const at = (ms?: number) => (ms === undefined ? undefined : new Date(ms));
  return {
    ImportId: r.id,
    Destinations: r.destinations,
    ImportSource: {
      S3: {
        S3LocationUri: r.source.uri,
        S3BucketRegion: r.source.bucketRegion,
        S3BucketAccessRoleArn: r.source.roleArn,
      },
    },
    StartEventTime: at(r.startEventTime),
    EndEventTime: at(r.endEventTime),
    ImportStatus: r.status,
    CreatedTimestamp: new Date(r.createdAt),
    UpdatedTimestamp: new Date(r.updatedAt),
    ImportStatistics: {
      PrefixesFound: r.stats.prefixesFound,
      PrefixesCompleted: r.stats.prefixesCompleted,
      FilesCompleted: r.stats.filesCompleted,
      EventsCompleted: r.stats.eventsCompleted,
      FailedEntries: r.stats.failedEntries,
    },
  };
}

export type ImportFailure = ImportFailureListItem & { LastUpdatedTime: Date };
