import { TrailErrors } from "./trail-errors.js";

/**
 * Trail names and ARNs. Rules from the model's CreateTrail `Name` documentation: ASCII letters,
 * digits, `.`, `_`, `-`; starts and ends with a letter or digit; 3–128 characters; no adjacent
 * `.`/`_`/`-`; not in IP-address form. Messages follow the wording seen in real responses.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html
 */
export function trailNameProblem(name: string): string | undefined {
  if (name.length < 3)
    return `Trail name too short. Minimum allowed length: 3 characters. Specified name length: ${name.length} characters.`;
  if (name.length > 128)
    return `Trail name too long. Maximum allowed length: 128 characters. Specified name length: ${name.length} characters.`;
  if (!/^[A-Za-z0-9]/.test(name)) return "Trail name must starts with a letter or number.";
  if (!/[A-Za-z0-9]$/.test(name)) return "Trail name must ends with a letter or number.";
  if (!/^[A-Za-z0-9._-]+$/.test(name))
    return "Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).";
  if (/[._-]{2}/.test(name))
    return "Trail name cannot contain adjacent periods (.), hyphens (-), or underscores (_), such as my-_namespace or my--namespace.";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name))
    return "Trail name cannot be formatted as an IP address, such as 192.168.5.4.";
  return undefined;
}

export function assertTrailName(name: string): void {
  const problem = trailNameProblem(name);
  if (problem) throw TrailErrors.invalidTrailName(problem);
}

export interface TrailArn {
  partition: string;
  region: string;
  accountId: string;
  name: string;
}

const TRAIL_ARN = /^arn:(aws[a-z-]*):cloudtrail:([a-z]{2}(?:-[a-z]+)+-\d+):(\d{12}):trail\/(.+)$/;

export function formatTrailArn(region: string, accountId: string, name: string, partition = "aws"): string {
  return `arn:${partition}:cloudtrail:${region}:${accountId}:trail/${name}`;
}

export function parseTrailArn(arn: string): TrailArn | undefined {
  const m = TRAIL_ARN.exec(arn);
  if (!m) return undefined;
  const [, partition, region, accountId, name] = m as unknown as [string, string, string, string, string];
  return { partition, region, accountId, name };
}

export type TrailRef = { kind: "name"; name: string } | { kind: "arn"; arn: string; parsed: TrailArn };

/**
 * Most trail operations take a name or an ARN. Anything starting with `arn:` is an ARN and must
 * parse (CloudTrailARNInvalidException); anything else must be a valid name (InvalidTrailName).
 */
export function parseTrailRef(nameOrArn: string | undefined): TrailRef {
  const value = nameOrArn ?? "";
  if (value.startsWith("arn:")) {
    const parsed = parseTrailArn(value);
    if (!parsed || trailNameProblem(parsed.name)) throw TrailErrors.arnInvalid(value);
    return { kind: "arn", arn: value, parsed };
  }
  assertTrailName(value);
  return { kind: "name", name: value };
}
