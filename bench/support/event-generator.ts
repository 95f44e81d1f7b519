import type { CloudTrailEvent, UserIdentity } from "../../src/events/cloudtrail-event.js";
import { ERROR_CODES, isReadOnly, SERVICES, type ServiceSpec, USER_AGENTS } from "./event-catalog.js";

/**
 * Deterministic generator of realistic CloudTrail management events, in eventTime order, for
 * benchmarks and tests: ~200 identities (IAM users, assumed-role sessions, root, AWS services)
 * with their access keys, source IPs and user agents; 40 event sources and ~300 event names with
 * skewed frequencies; about 3/4 read-only calls; resources on about a third of the events; ~3%
 * errors. Field order and value shapes follow real CloudTrail records (see /work/shared/data).
 */
export interface EventGeneratorOptions {
  seed?: number;
  /** Number of events the time span [start, end] is divided among (events arrive in time order). */
  count: number;
  start?: Date;
  end?: Date;
  accounts?: string[];
  /** Region names with relative weights; the first gets the most traffic by default. */
  regions?: Array<[region: string, weight: number]>;
}

interface Actor {
  identity: (account: string, at: number, random: Random) => UserIdentity;
  username: string | undefined;
  accessKeys: string[];
  ips: string[];
  agents: string[];
  weight: number;
}

export type Random = () => number;

/** mulberry32: small, fast, good enough for synthetic data, reproducible from a seed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX = "0123456789abcdef";

function chars(random: Random, alphabet: string, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(random() * alphabet.length)];
  return s;
}

export function uuid(random: Random): string {
  const h = chars(random, HEX, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
}

function ip(random: Random): string {
  const first = [3, 18, 34, 52, 54, 63, 81, 94, 176, 203][Math.floor(random() * 10)];
  return `${first}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
}

/** Index into a list of n items, skewed towards the front (Zipf-like). */
function skewed(random: Random, n: number, power = 2.2): number {
  return Math.min(n - 1, Math.floor(n * random() ** power));
}

function pickWeighted<T extends { weight: number }>(items: T[], total: number, random: Random): T {
  let x = random() * total;
  for (const item of items) {
    x -= item.weight;
    if (x < 0) return item;
  }
  return items[items.length - 1] as T;
}

export const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

const FIRST =
  "alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert sybil trent victor walter xena yusuf zoe".split(
    " ",
  );
const LAST = "smith jones brown garcia miller davis lopez wilson".split(" ");
const ROLES =
  "OrganizationAccountAccessRole AWSReservedSSO_AdministratorAccess_4e1a2b3c AWSReservedSSO_ReadOnly_77ab12cd ci-deploy terraform-apply eks-node-role lambda-exec-orders lambda-exec-billing datadog-integration wiz-scanner backup-operator AWSServiceRoleForConfig ecs-task-api github-actions-oidc karpenter-controller".split(
    " ",
  );

function buildActors(random: Random): Actor[] {
  const actors: Actor[] = [];
  const agentsFor = () => [
    USER_AGENTS[skewed(random, USER_AGENTS.length, 1.5)] as string,
    USER_AGENTS[Math.floor(random() * USER_AGENTS.length)] as string,
  ];
  for (let i = 0; i < 120; i++) {
    const name = `${FIRST[i % FIRST.length]}.${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i >= 176 ? i : ""}`;
    const principalId = `AIDA${chars(random, BASE32, 17)}`;
    const keys = [`AKIA${chars(random, BASE32, 16)}`, `AKIA${chars(random, BASE32, 16)}`].slice(
      0,
      1 + (i % 3 === 0 ? 1 : 0),
    );
    actors.push({
      identity: (account, _at, r) => ({
        type: "IAMUser",
        principalId,
        arn: `arn:aws:iam::${account}:user/${name}`,
        accountId: account,
        accessKeyId: keys[Math.floor(r() * keys.length)] as string,
        userName: name,
      }),
      username: name,
      accessKeys: keys,
      ips: [ip(random), ip(random)],
      agents: agentsFor(),
      weight: 1 / (1 + i * 0.15),
    });
  }
  for (let i = 0; i < 75; i++) {
    const role = ROLES[i % ROLES.length] as string;
    const session =
      i < 30
        ? `${FIRST[i % FIRST.length]}@example.com`
        : i < 50
          ? `i-0${chars(random, HEX, 16)}`
          : `botocore-session-${1700000000 + i}`;
    const roleId = `AROA${chars(random, BASE32, 17)}`;
    const keys = [0, 1, 2].map(() => `ASIA${chars(random, BASE32, 16)}`);
    actors.push({
      identity: (account, at, r) => ({
        type: "AssumedRole",
        principalId: `${roleId}:${session}`,
        arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
        accountId: account,
        accessKeyId: keys[Math.floor(r() * keys.length)] as string,
        sessionContext: {
          sessionIssuer: {
            type: "Role",
            principalId: roleId,
            arn: `arn:aws:iam::${account}:role/${role}`,
            accountId: account,
            userName: role,
          },
          attributes: { creationDate: iso(at - Math.floor(r() * 3_600_000)), mfaAuthenticated: "false" },
        },
      }),
      username: session,
      accessKeys: keys,
      ips: [ip(random)],
      agents: agentsFor(),
      weight: i % 7 === 0 ? 4 : 0.6,
    });
  }
  actors.push({
    identity: (account, at) => ({
      type: "Root",
      principalId: account,
      arn: `arn:aws:iam::${account}:root`,
      accountId: account,
      accessKeyId: "ASIAROOTCONSOLEKEY01",
      sessionContext: { attributes: { creationDate: iso(at - 600_000), mfaAuthenticated: "true" } },
    }),
    username: "root",
    accessKeys: ["ASIAROOTCONSOLEKEY01"],
    ips: [ip(random)],
    agents: [USER_AGENTS[9] as string],
    weight: 0.05,
  });
  for (const svc of [
    "ec2.amazonaws.com",
    "config.amazonaws.com",
    "autoscaling.amazonaws.com",
    "cloudformation.amazonaws.com",
  ]) {
    actors.push({
      identity: () => ({ type: "AWSService", invokedBy: svc }),
      username: undefined,
      accessKeys: [],
      ips: [svc],
      agents: [svc],
      weight: 0.5,
    });
  }
  return actors;
}

export interface EventGenerator {
  /** The next event, eventTime non-decreasing. */
  next(): CloudTrailEvent;
}

/** Builds a generator; `count` events span [start, end] evenly with jitter. */
export function createEventGenerator(options: EventGeneratorOptions): EventGenerator {
  const random = seededRandom(options.seed ?? 42);
  const end = (options.end ?? new Date()).getTime();
  const start = (options.start ?? new Date(end - 90 * 86_400_000)).getTime();
  const step = (end - start) / Math.max(1, options.count);
  const accounts = options.accounts ?? ["111122223333"];
  const regions = (
    options.regions ?? [
      ["us-east-1", 8],
      ["eu-west-1", 1.5],
      ["ap-southeast-2", 0.5],
    ]
  ).map(([region, weight]) => ({ region, weight }));
  const regionTotal = regions.reduce((a, r) => a + r.weight, 0);
  const actors = buildActors(random);
  const actorTotal = actors.reduce((a, x) => a + x.weight, 0);
  const serviceTotal = SERVICES.reduce((a, s) => a + s.weight, 0);
  let n = 0;
  return {
    next() {
      const at = Math.min(end, Math.floor(start + n * step + random() * step));
      n++;
      const account = accounts[skewed(random, accounts.length, 1.5)] as string;
      const region = pickWeighted(regions, regionTotal, random).region;
      const actor = pickWeighted(actors, actorTotal, random);
      const svc = pickWeighted(SERVICES, serviceTotal, random);
      return buildEvent({ random, at, account, region, actor, svc });
    },
  };
}

interface EventInput {
  random: Random;
  at: number;
  account: string;
  region: string;
  actor: Actor;
  svc: ServiceSpec;
}

function buildEvent({ random, at, account, region, actor, svc }: EventInput): CloudTrailEvent {
  const action = svc.actions[skewed(random, svc.actions.length, 1.6)] as string;
  const readOnly = isReadOnly(action);
  const identity = actor.identity(account, at, random);
  const resourceId = `${svc.idPrefix}${resourceSuffix(svc.source, skewed(random, RESOURCES_PER_SERVICE, 2.2))}`;
  const error = random() < 0.03 ? ERROR_CODES[skewed(random, ERROR_CODES.length, 2)] : undefined;
  const requestID = uuid(random);
  const record: Record<string, unknown> = {
    eventVersion: random() < 0.7 ? "1.09" : "1.08",
    userIdentity: identity,
    eventTime: iso(at),
    eventSource: svc.source,
    eventName: action,
    awsRegion: region,
    sourceIPAddress: actor.ips[Math.floor(random() * actor.ips.length)],
    userAgent: actor.agents[Math.floor(random() * actor.agents.length)],
  };
  if (error) {
    record.errorCode = error[0];
    record.errorMessage = error[1](identity.arn ?? "", `${svc.host}:${action}`);
  }
  const key = resourceKey(svc);
  record.requestParameters = readOnly
    ? readParameters(random, resourceId)
    : writeParameters(random, key, resourceId);
  record.responseElements =
    readOnly || error ? null : { requestId: requestID, [key]: resourceId, status: "pending" };
  record.requestID = requestID;
  record.eventID = uuid(random);
  record.readOnly = readOnly;
  if (!readOnly || random() < 0.15) {
    const resources = [
      { accountId: account, type: svc.resourceType, ARN: svc.arn(account, region, resourceId) },
    ];
    if (random() < 0.2) {
      const keyId = uuid(seededRandom(skewed(random, 50)));
      resources.push({
        accountId: account,
        type: "AWS::KMS::Key",
        ARN: `arn:aws:kms:${region}:${account}:key/${keyId}`,
      });
    }
    record.resources = resources;
  }
  record.eventType = "AwsApiCall";
  record.managementEvent = true;
  record.recipientAccountId = account;
  record.eventCategory = "Management";
  if (identity.type !== "AWSService") {
    const host = `${svc.host}.${region}.amazonaws.com`;
    record.tlsDetails = {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: host,
    };
  }
  if (identity.type === "Root" || (record.userAgent as string).startsWith("Mozilla")) {
    record.sessionCredentialFromConsole = "true";
  }
  return record as unknown as CloudTrailEvent;
}

function writeParameters(random: Random, key: string, resourceId: string): Record<string, unknown> {
  const params: Record<string, unknown> = { [key]: resourceId };
  if (random() < 0.3) params.tags = [{ key: "team", value: "platform" }];
  return params;
}

/** Each service has a fixed pool of resources, used with a skew (a few hot, a long tail). */
const RESOURCES_PER_SERVICE = 3000;

function resourceSuffix(source: string, n: number): string {
  let h = 0x9e3779b9 ^ n;
  for (let i = 0; i < source.length; i++) h = Math.imul(h ^ source.charCodeAt(i), 0x01000193);
  const a = (Math.imul(h, 0x85ebca6b) >>> 0).toString(16).padStart(8, "0");
  const b = (Math.imul(h ^ n, 0xc2b2ae35) >>> 0).toString(16).padStart(8, "0");
  return `${a}${b}`.slice(0, 12 + (n % 5));
}

function resourceKey(svc: ServiceSpec): string {
  const word = svc.resourceType.split("::")[2] ?? "resource";
  return `${word[0]?.toLowerCase()}${word.slice(1)}Id`;
}

function readParameters(random: Random, resourceId: string): Record<string, unknown> | null {
  const r = random();
  if (r < 0.35) return null;
  if (r < 0.6) return { maxResults: [50, 100, 1000][Math.floor(random() * 3)] };
  if (r < 0.8) return { filterSet: {}, resourceId };
  return random() < 0.5
    ? { resourceId, includeDeleted: false }
    : { resourceId, nextToken: chars(random, BASE32, 24) };
}
