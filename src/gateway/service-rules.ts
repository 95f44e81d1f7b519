/**
 * What the service models do not say about CloudTrail, per service (keyed by the model's
 * endpoint prefix): the event source where it is not `<endpointPrefix>.amazonaws.com`, event
 * names CloudTrail spells differently, which operations are data events and of which resource
 * type, and how to name the resources a call touches. A new service needs only its model, and
 * this entry if it has data events.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html
 */
import type { EventResource, JsonObject, JsonValue } from "../events/cloudtrail-event.js";
import { S3_RULES } from "./s3-rules.js";

export interface CallFacts {
  operation: string;
  /** Input by member name (wire-level values). */
  input: Record<string, unknown>;
  region: string;
  accountId: string;
  query: URLSearchParams;
  host?: string;
}

export interface ServiceRules {
  eventSource?: string;
  /** CloudTrail's eventName where it is not the operation name. */
  eventNames?: Record<string, string>;
  /** Overrides of the name-prefix rule for readOnly. */
  readOnly?: Record<string, boolean>;
  /** Data-event operations and the resource type they are selected by. */
  dataEvents?: { resourceType: string; operations: readonly string[] };
  resources?(facts: CallFacts): EventResource[] | undefined;
  /** Post-processing of requestParameters / responseElements (redaction). */
  redact?(params: JsonObject): JsonObject;
  /** Whether records carry `apiVersion` (DynamoDB's do). */
  apiVersion?: boolean;
  /** requestParameters built from the request instead of from the input shape (S3). */
  requestParameters?(facts: CallFacts): JsonObject | null;
  /** responseElements built from the response headers instead of from the output shape (S3). */
  responseElements?(facts: CallFacts, headers: Record<string, string>): JsonObject | null;
  additionalEventData?(info: { bytesIn: number; bytesOut: number; presigned: boolean }): JsonObject;
  userAgent?(userAgent: string): string;
}

/** Event sources that are not the endpoint prefix. */
const EVENT_SOURCES: Record<string, string> = {
  email: "ses",
  "streams.dynamodb": "dynamodb",
  "runtime.sagemaker": "sagemaker",
  "runtime.lex": "lex",
  "data.iot": "iot",
};

/** Reads by name (Describe*, Get*, List*, Head*, BatchGet*, Query, Scan); rules may override. */
const READ_PREFIX = /^(Describe|Get|List|Head|BatchGet|Query|Scan)/;

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

function arnOrName(value: unknown, build: (name: string) => string): string | undefined {
  const s = str(value);
  if (!s) return undefined;
  return s.startsWith("arn:") ? s : build(s);
}

function unique(resources: Array<EventResource | undefined>): EventResource[] | undefined {
  const seen = new Set<string>();
  const out: EventResource[] = [];
  for (const r of resources) {
    if (!r?.ARN || seen.has(r.ARN)) continue;
    seen.add(r.ARN);
    out.push(r);
  }
  return out.length > 0 ? out : undefined;
}

function tables(input: Record<string, unknown>): unknown[] {
  const names: unknown[] = [input.TableName];
  const items = input.RequestItems;
  if (items && typeof items === "object") names.push(...Object.keys(items));
  for (const t of Array.isArray(input.TransactItems) ? input.TransactItems : []) {
    for (const action of Object.values((t ?? {}) as Record<string, { TableName?: unknown }>))
      names.push(action?.TableName);
  }
  return names;
}

/** `{"s": "a"}` (a rendered AttributeValue) → `"a"`; other types stay as rendered. */
function unwrapAttribute(v: unknown): unknown {
  if (!v || typeof v !== "object" || Array.isArray(v)) return v;
  const entries = Object.entries(v);
  const [type, value] = entries.length === 1 ? (entries[0] as [string, unknown]) : ["", undefined];
  return ["s", "n", "bOOL"].includes(type) ? value : v;
}

const KEY_MEMBERS = new Set(["key", "exclusiveStartKey"]);

/**
 * DynamoDB's records name key attributes with their values but leave other attribute values
 * out ("Non key attribute values ... will not appear in logs of actions using the classic
 * API"): items become their attribute names, expression values are dropped.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/understanding-ddb-log-entries.html
 */
function redactItems(params: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === "expressionAttributeValues") continue;
    if (v && typeof v === "object" && !Array.isArray(v)) {
      if (k === "item" || k === "attributes") out[k] = Object.keys(v);
      else if (KEY_MEMBERS.has(k))
        out[k] = Object.fromEntries(
          Object.entries(v).map(([a, av]) => [a, unwrapAttribute(av) as JsonValue]),
        );
      else out[k] = redactItems(v as JsonObject);
    } else if (k === "items" && Array.isArray(v)) out[k] = v.length;
    else if (Array.isArray(v))
      out[k] = v.map((e) =>
        e && typeof e === "object" && !Array.isArray(e) ? redactItems(e as JsonObject) : e,
      );
    else out[k] = v;
  }
  return out;
}

const DYNAMODB: ServiceRules = {
  dataEvents: {
    resourceType: "AWS::DynamoDB::Table",
    operations: [
      "GetItem",
      "PutItem",
      "UpdateItem",
      "DeleteItem",
      "BatchGetItem",
      "BatchWriteItem",
      "Query",
      "Scan",
      "TransactGetItems",
      "TransactWriteItems",
      "ExecuteStatement",
      "BatchExecuteStatement",
      "ExecuteTransaction",
    ],
  },
  readOnly: { TransactGetItems: true },
  resources: ({ input, region, accountId }) =>
    unique(
      tables(input).map((t) => {
        const arn = arnOrName(t, (n) => `arn:aws:dynamodb:${region}:${accountId}:table/${n}`);
        return arn ? { accountId, type: "AWS::DynamoDB::Table", ARN: arn } : undefined;
      }),
    ),
  redact: redactItems,
  apiVersion: true,
};

const DYNAMODB_STREAMS: ServiceRules = {
  dataEvents: { resourceType: "AWS::DynamoDB::Stream", operations: ["GetRecords", "GetShardIterator"] },
  resources: ({ input, accountId }) =>
    unique([
      str(input.StreamArn)
        ? { accountId, type: "AWS::DynamoDB::Stream", ARN: str(input.StreamArn) }
        : undefined,
    ]),
  apiVersion: true,
};

const KINESIS: ServiceRules = {
  dataEvents: {
    resourceType: "AWS::Kinesis::Stream",
    operations: ["PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "SubscribeToShard"],
  },
  resources: ({ input, region, accountId }) =>
    unique([
      ((arn) => (arn ? { accountId, type: "AWS::Kinesis::Stream", ARN: arn } : undefined))(
        str(input.StreamARN) ??
          arnOrName(input.StreamName, (n) => `arn:aws:kinesis:${region}:${accountId}:stream/${n}`),
      ),
      str(input.ConsumerARN)
        ? { accountId, type: "AWS::Kinesis::StreamConsumer", ARN: str(input.ConsumerARN) }
        : undefined,
    ]),
};

const LAMBDA: ServiceRules = {
  dataEvents: {
    resourceType: "AWS::Lambda::Function",
    operations: ["Invoke", "InvokeAsync", "InvokeWithResponseStream"],
  },
  // Lambda's records carry the API version in the name (real records: GetFunction20150331v2).
  eventNames: {
    AddPermission: "AddPermission20150331v2",
    CreateEventSourceMapping: "CreateEventSourceMapping20150331",
    CreateFunction: "CreateFunction20150331",
    GetFunction: "GetFunction20150331v2",
    GetFunctionConfiguration: "GetFunctionConfiguration20150331v2",
    ListFunctions: "ListFunctions20150331",
    UpdateEventSourceMapping: "UpdateEventSourceMapping20150331",
    UpdateFunctionCode: "UpdateFunctionCode20150331v2",
    UpdateFunctionConfiguration: "UpdateFunctionConfiguration20150331v2",
  },
  resources: ({ input, region, accountId }) =>
    unique([
      ((arn) => (arn ? { accountId, type: "AWS::Lambda::Function", ARN: arn } : undefined))(
        arnOrName(input.FunctionName, (n) => `arn:aws:lambda:${region}:${accountId}:function:${n}`),
      ),
    ]),
};

function queueArn(input: Record<string, unknown>, region: string, accountId: string): string | undefined {
  const url = str(input.QueueUrl);
  if (url) {
    const parts = url.replace(/\/+$/, "").split("/");
    const name = parts.at(-1);
    const owner = parts.at(-2);
    return name
      ? `arn:aws:sqs:${region}:${owner && /^\d{12}$/.test(owner) ? owner : accountId}:${name}`
      : undefined;
  }
  const name = str(input.QueueName);
  return name ? `arn:aws:sqs:${region}:${accountId}:${name}` : undefined;
}

const SQS: ServiceRules = {
  dataEvents: {
    resourceType: "AWS::SQS::Queue",
    operations: [
      "SendMessage",
      "SendMessageBatch",
      "ReceiveMessage",
      "DeleteMessage",
      "DeleteMessageBatch",
      "ChangeMessageVisibility",
      "ChangeMessageVisibilityBatch",
    ],
  },
  readOnly: { ReceiveMessage: true },
  resources: ({ input, region, accountId }) =>
    unique([
      ((arn) => (arn ? { accountId, type: "AWS::SQS::Queue", ARN: arn } : undefined))(
        queueArn(input, region, accountId),
      ),
    ]),
};

const SNS: ServiceRules = {
  dataEvents: { resourceType: "AWS::SNS::Topic", operations: ["Publish", "PublishBatch"] },
  resources: ({ input, accountId }) =>
    unique([
      str(input.TopicArn) ? { accountId, type: "AWS::SNS::Topic", ARN: str(input.TopicArn) } : undefined,
    ]),
};

const RULES: Record<string, ServiceRules> = {
  dynamodb: DYNAMODB,
  "streams.dynamodb": DYNAMODB_STREAMS,
  kinesis: KINESIS,
  lambda: LAMBDA,
  sqs: SQS,
  sns: SNS,
  s3: S3_RULES,
};

export function rulesFor(endpointPrefix: string): ServiceRules {
  return RULES[endpointPrefix] ?? {};
}

export function eventSourceFor(endpointPrefix: string, rules: ServiceRules): string {
  return `${rules.eventSource ?? EVENT_SOURCES[endpointPrefix] ?? endpointPrefix}.amazonaws.com`;
}

export interface Classification {
  eventName: string;
  readOnly: boolean;
  category: "Management" | "Data";
}

export function classify(rules: ServiceRules, operation: string): Classification {
  return {
    eventName: rules.eventNames?.[operation] ?? operation,
    readOnly: rules.readOnly?.[operation] ?? READ_PREFIX.test(operation),
    category: rules.dataEvents?.operations.includes(operation) ? "Data" : "Management",
  };
}
