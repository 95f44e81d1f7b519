import type { EventDraft } from "../../src/recorder/event-sink.js";
import { type Random, uuid } from "./event-generator.js";

/**
 * The normal traffic of the Insights traffic generator (traffic-generator.ts): APIs with their
 * volumes, diurnal and weekly shape, callers and agents, error rates, the recurring patterns,
 * and the records themselves.
 */
export type AnomalyKind = "call-burst" | "error-storm" | "new-caller";

export interface Api {
  source: string;
  name: string;
  readOnly: boolean;
  /** Calls per minute at the diurnal peak on a weekday. */
  peak: number;
  /** Night level as a fraction of the peak. */
  floor: number;
  errorRate: number;
  errors: string[];
  callers: Caller[];
  /** Anomalies of these kinds may target it. */
  targets: AnomalyKind[];
}

export interface Caller {
  arn: string;
  agent: string;
  weight: number;
}

export const AGENTS = {
  cli: "aws-cli/2.15.30 Python/3.11.8 Linux/5.10.213 exe/x86_64.amzn.2 prompt/off command/ec2.run-instances",
  boto: "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.11.8 cfg/retry-mode#legacy Botocore/1.34.69",
  console: "AWS Internal",
  terraform:
    "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0",
  sdkjs: "aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10 lang/js md/nodejs#20.12.0 api/ssm#3.540.0",
  ssm: "ssm-agent/3.3.40.0",
  python: "python-requests/2.31.0",
  go: "aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/iam#1.31.3",
};

function callers(account: string, ...list: Array<[string, keyof typeof AGENTS, number]>): Caller[] {
  return list.map(([who, agent, weight]) => ({
    arn: who.startsWith("user/")
      ? `arn:aws:iam::${account}:${who}`
      : `arn:aws:sts::${account}:assumed-role/${who}`,
    agent: AGENTS[agent],
    weight,
  }));
}

type Row = [
  string,
  string,
  boolean,
  number,
  number,
  number,
  string[],
  "app" | "ops" | "agent" | "admins" | "both",
  AnomalyKind[],
];

/**
 * The APIs: source, name, readOnly, peak calls/min, night floor, error rate, error codes,
 * callers, and the anomalies that may target them. Call bursts (a multiple of the normal rate)
 * target only APIs busy enough for a multiple to be visible within a minute or two; quiet APIs
 * get anomalies of absolute size (error storms, new callers).
 */
export function apis(account: string, volume: number): Api[] {
  const app = callers(account, ["AppRole/i-0a1b2c3d", "boto", 6], ["AppRole/i-0e4f5a6b", "boto", 4]);
  const ops = callers(
    account,
    ["user/alice", "cli", 3],
    ["user/bob", "console", 2],
    ["DeployRole/ci-4411", "terraform", 4],
  );
  const agent = callers(
    account,
    ["SSMRole/i-0a1b2c3d", "ssm", 1],
    ["SSMRole/i-0e4f5a6b", "ssm", 1],
    ["SSMRole/i-07c8d9e0", "sdkjs", 1],
  );
  const admins = callers(account, ["user/alice", "console", 2], ["user/root-admin", "cli", 1]);
  const who = { app, ops, agent, admins, both: [...app, ...ops] };
  // biome-ignore format: a table
  const rows: Row[] = [
    ["ssm.amazonaws.com", "UpdateInstanceInformation", false, 12, 0.9, 0.002, ["ThrottlingException"], "agent", ["call-burst"]],
    ["sts.amazonaws.com", "AssumeRole", false, 16, 0.3, 0.01, ["AccessDenied"], "app", ["call-burst", "error-storm"]],
    ["ec2.amazonaws.com", "CreateTags", false, 10, 0.3, 0.005, ["InvalidParameterValue"], "ops", ["call-burst"]],
    ["ec2.amazonaws.com", "RunInstances", false, 3, 0.1, 0.03, ["InsufficientInstanceCapacity", "UnauthorizedOperation"], "ops", ["error-storm"]],
    ["ec2.amazonaws.com", "TerminateInstances", false, 2, 0.1, 0.01, ["UnauthorizedOperation"], "ops", ["error-storm"]],
    ["ec2.amazonaws.com", "DescribeInstances", true, 25, 0.3, 0.01, ["RequestLimitExceeded", "UnauthorizedOperation"], "both", ["error-storm"]],
    ["s3.amazonaws.com", "PutBucketPolicy", false, 0.3, 0.1, 0.05, ["AccessDenied", "MalformedPolicy"], "ops", ["error-storm"]],
    ["s3.amazonaws.com", "ListBuckets", true, 6, 0.2, 0.005, ["AccessDenied"], "both", ["error-storm"]],
    ["lambda.amazonaws.com", "UpdateFunctionCode20150331v2", false, 1.5, 0.05, 0.02, ["ResourceConflictException"], "ops", ["error-storm"]],
    ["kms.amazonaws.com", "GenerateDataKey", false, 10, 0.3, 0.002, ["ThrottlingException"], "app", ["call-burst"]],
    ["iam.amazonaws.com", "CreateAccessKey", false, 0.01, 0.2, 0.05, ["LimitExceeded"], "admins", ["new-caller"]],
    ["iam.amazonaws.com", "PutUserPolicy", false, 0.02, 0.2, 0.05, ["NoSuchEntity"], "admins", ["new-caller"]],
    ["iam.amazonaws.com", "CreateUser", false, 0.02, 0.2, 0.1, ["EntityAlreadyExists"], "admins", ["new-caller"]],
    ["iam.amazonaws.com", "AttachRolePolicy", false, 0.03, 0.2, 0.05, ["NoSuchEntity"], "admins", ["new-caller"]],
  ];
  return rows.map(([source, name, readOnly, peak, floor, errorRate, errors, callerSet, targets]) => ({
    source,
    name,
    readOnly,
    peak: peak * volume,
    floor,
    errorRate,
    errors,
    callers: who[callerSet],
    targets,
  }));
}

export const DAY_MS = 86_400_000;
export const MINUTE_MS = 60_000;

/** Diurnal shape in [0, 1]: 0 at 04:00 UTC, 1 at 16:00 UTC. */
function diurnal(ms: number): number {
  const hour = (ms % DAY_MS) / 3_600_000;
  return 0.5 * (1 - Math.cos((2 * Math.PI * (hour - 4)) / 24));
}

function weekday(ms: number): number {
  const dow = (Math.floor(ms / DAY_MS) + 4) % 7;
  return dow === 0 || dow === 6 ? 0.6 : 1;
}

/** The true (noise-free) calls per minute of an API at a time. */
export function expectedRate(api: Api, ms: number): number {
  return api.peak * (api.floor + (1 - api.floor) * diurnal(ms)) * weekday(ms);
}

export function poisson(random: Random, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 40) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(random)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= random();
  } while (p > l);
  return k - 1;
}

export function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

export function pick<T extends { weight: number }>(random: Random, items: readonly T[]): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let r = random() * total;
  for (const i of items) {
    r -= i.weight;
    if (r <= 0) return i;
  }
  return items[items.length - 1] as T;
}

export const oneOf = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)] as T;

export type Make = (
  source: string,
  name: string,
  readOnly: boolean,
  arn: string,
  agent: string,
  errorCode?: string,
) => EventDraft;

/**
 * Normal patterns a naive detector mistakes for anomalies: the nightly backup job (02:00 ±1
 * minute, four minutes of CreateSnapshot at ~30/min, every day) and, about once a day, an
 * admin creating a few users at once (unusual, but below any sensible minimum volume).
 */
export function normalPatterns(
  m: number,
  random: Random,
  account: string,
  make: Make,
  out: Array<[number, EventDraft]>,
): void {
  const at = () => m + Math.floor(random() * MINUTE_MS);
  const minuteOfDay = (m % DAY_MS) / MINUTE_MS;
  const jitter = (Math.floor(m / DAY_MS) * 7919) % 3;
  const backup = `arn:aws:sts::${account}:assumed-role/BackupRole/nightly`;
  const rate = minuteOfDay >= 119 + jitter && minuteOfDay < 123 + jitter ? 30 : 0.05;
  for (let i = poisson(random, rate); i > 0; i--)
    out.push([at(), make("ec2.amazonaws.com", "CreateSnapshot", false, backup, AGENTS.boto)]);
  if (random() < 1 / 1440) {
    const alice = `arn:aws:iam::${account}:user/alice`;
    for (let i = 3 + Math.floor(random() * 3); i > 0; i--)
      out.push([at(), make("iam.amazonaws.com", "CreateUser", false, alice, AGENTS.console)]);
  }
}

export const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** A management-event draft as the recorder takes it (about 1 KB once recorded). */
export function eventFactory(account: string, region: string, random: Random): Make {
  return (source, name, readOnly, arn, agent, errorCode) => {
    const assumed = arn.includes(":assumed-role/");
    const userName = arn.slice(arn.lastIndexOf("/") + 1);
    const draft: EventDraft = {
      userIdentity: assumed
        ? {
            type: "AssumedRole",
            principalId: `AROAEXAMPLEROLEID123:${userName}`,
            arn,
            accountId: account,
            accessKeyId: "ASIAEXAMPLEKEY000001",
            sessionContext: {
              sessionIssuer: {
                type: "Role",
                principalId: "AROAEXAMPLEROLEID123",
                arn: `arn:aws:iam::${account}:role/${arn.split("/")[1]}`,
                accountId: account,
                userName: arn.split("/")[1] as string,
              },
              attributes: { creationDate: "2024-01-01T00:00:00Z", mfaAuthenticated: "false" },
            },
          }
        : {
            type: "IAMUser",
            principalId: "AIDAEXAMPLEUSERID123",
            arn,
            accountId: account,
            accessKeyId: "AKIAEXAMPLEKEY000001",
            userName,
          },
      eventSource: source,
      eventName: name,
      awsRegion: region,
      sourceIPAddress: "198.51.100.23",
      userAgent: agent,
      requestParameters: { resourceId: `r-${Math.floor(random() * 1e6).toString(16)}`, dryRun: false },
      responseElements: readOnly ? null : { requestId: uuid(random) },
      requestID: uuid(random),
      readOnly,
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: "Management",
    };
    if (errorCode) {
      draft.errorCode = errorCode;
      draft.errorMessage = `${errorCode}: the request was refused`;
      draft.responseElements = null;
    }
    return draft;
  };
}
