import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  AssumeRoleCommand,
  type AssumeRoleCommandInput,
  GetCallerIdentityCommand,
  STSClient,
} from "@aws-sdk/client-sts";
import { type HttpRequest, HttpResponse } from "@smithy/protocol-http";
import {
  AWS_FAULT_NAMESPACE,
  decodeQueryRequest,
  encodeQueryRequest,
  parseQueryParams,
  type QueryProtocol,
  serializeQueryError,
  serializeQueryResponse,
  toNestedInput,
} from "./aws-query.js";
import { AwsError, CommonErrors } from "./errors.js";

const STS: QueryProtocol = { namespace: "https://sts.amazonaws.com/doc/2011-06-15/", version: "2011-06-15" };
const NS = STS.namespace;

function rejectsWith(fn: () => unknown, code: string, message: string): void {
  assert.throws(fn, (e: unknown) => e instanceof AwsError && e.code === code && e.message === message);
}

describe("aws-query: decoding", () => {
  test("form parameters nest: members, lists, maps, flattened lists", () => {
    const body =
      "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2FR&" +
      "Tags.member.2.Key=k2&Tags.member.2.Value=v2&Tags.member.1.Key=k1&Tags.member.1.Value=v+1&" +
      "TransitiveTagKeys.member.1=k1&PolicyArns.member.1.arn=arn%3Ap&Attrs.entry.1.key=a&Attrs.entry.1.value=1&" +
      "Flat.2=b&Flat.1=a&Deep.A.B=x";
    const req = decodeQueryRequest(Buffer.from(body), STS);
    assert.equal(req.action, "AssumeRole");
    assert.deepEqual(req.input, {
      RoleArn: "arn:aws:iam::123456789012:role/R",
      Tags: [
        { Key: "k1", Value: "v 1" },
        { Key: "k2", Value: "v2" },
      ],
      TransitiveTagKeys: ["k1"],
      PolicyArns: [{ arn: "arn:p" }],
      Attrs: { a: "1" },
      Flat: ["a", "b"],
      Deep: { A: { B: "x" } },
    });
  });

  test("of repeated parameters the first wins, as at AWS's front door", () => {
    const req = decodeQueryRequest(
      "Action=GetCallerIdentity&Action=Nope&Version=2011-06-15&Version=2000-01-01&A=1&A=2",
      STS,
    );
    assert.equal(req.action, "GetCallerIdentity");
    assert.deepEqual(req.input, { A: "1" });
    const params = parseQueryParams(new URLSearchParams("x=1&x=2"));
    assert.deepEqual([...params], [["x", "1"]]);
  });

  test("a missing or wrong Version: InvalidAction with STS's message; no Action: MissingAction", () => {
    rejectsWith(
      () => decodeQueryRequest("Action=GetCallerIdentity", STS),
      "InvalidAction",
      "Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED",
    );
    rejectsWith(
      () => decodeQueryRequest("Action=GetCallerIdentity&Version=2000-01-01", STS),
      "InvalidAction",
      "Could not find operation GetCallerIdentity for version 2000-01-01",
    );
    rejectsWith(
      () => decodeQueryRequest("Version=2011-06-15", STS),
      "MissingAction",
      "The request is missing an action or a required parameter.",
    );
  });

  test("the SigV4 parameters of a presigned GET are not input", () => {
    const query = new URLSearchParams(
      "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a&X-Amz-Signature=b&x-custom=1",
    );
    assert.deepEqual(decodeQueryRequest(query, STS), {
      action: "GetCallerIdentity",
      input: { "x-custom": "1" },
    });
  });

  test("__proto__ is an ordinary member, never the prototype", () => {
    const input = toNestedInput(parseQueryParams("__proto__.polluted=1&a.__proto__=2"));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.equal(Object.getPrototypeOf(input), Object.prototype);
    assert.deepEqual(Object.keys(input), ["__proto__", "a"]);
  });

  test("encode and decode round-trip", () => {
    const input = {
      RoleArn: "arn:aws:iam::123456789012:role/a b&c=d",
      Tags: [
        { Key: "k", Value: "ü+/" },
        { Key: "k2", Value: "" },
      ],
      DurationSeconds: "900",
    };
    const body = encodeQueryRequest("AssumeRole", input, STS);
    assert.match(body, /^Action=AssumeRole&Version=2011-06-15&/);
    assert.match(body, /Tags\.member\.2\.Key=k2/);
    assert.deepEqual(decodeQueryRequest(body, STS), { action: "AssumeRole", input });
  });
});

describe("aws-query: XML", () => {
  test("a response is laid out as STS lays it out", () => {
    const xml = serializeQueryResponse(
      "GetCallerIdentity",
      { Arn: "arn:aws:iam::123456789012:user/a&b", UserId: "AIDAEXAMPLE", Account: "123456789012" },
      "req-1",
      STS,
    );
    assert.equal(
      xml,
      `<GetCallerIdentityResponse xmlns="${NS}">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/a&amp;b</Arn>
    <UserId>AIDAEXAMPLE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>req-1</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`,
    );
  });

  test("nested structures, lists, dates, numbers, booleans; null members are left out", () => {
    const xml = serializeQueryResponse(
      "Op",
      {
        Credentials: {
          Expiration: new Date("2024-01-01T01:00:00.123Z"),
          Size: 3,
          Ok: false,
          Gone: undefined,
        },
        Items: ["a", { Name: "<b>" }],
        Empty: [],
        Nothing: null,
      },
      "r",
      STS,
    );
    assert.equal(
      xml,
      `<OpResponse xmlns="${NS}">
  <OpResult>
    <Credentials>
      <Expiration>2024-01-01T01:00:00Z</Expiration>
      <Size>3</Size>
      <Ok>false</Ok>
    </Credentials>
    <Items>
      <member>a</member>
      <member>
        <Name>&lt;b&gt;</Name>
      </member>
    </Items>
    <Empty/>
  </OpResult>
  <ResponseMetadata>
    <RequestId>r</RequestId>
  </ResponseMetadata>
</OpResponse>
`,
    );
    assert.doesNotMatch(serializeQueryResponse("Op", {}, "r", STS), /OpResult/);
  });

  test("an error is laid out as STS lays it out", () => {
    const err = new AwsError(
      "ValidationError",
      "1 validation error detected: Value 'a<b' at 'roleSessionName' failed to satisfy constraint: x",
    );
    assert.equal(
      serializeQueryError(err, "req-2", STS),
      `<ErrorResponse xmlns="${NS}">
  <Error>
    <Type>Sender</Type>
    <Code>ValidationError</Code>
    <Message>1 validation error detected: Value 'a&lt;b' at 'roleSessionName' failed to satisfy constraint: x</Message>
  </Error>
  <RequestId>req-2</RequestId>
</ErrorResponse>
`,
    );
  });

  test("error codes and namespaces as the query front door uses them", () => {
    const missing = serializeQueryError(CommonErrors.missingAuthenticationToken(), "r", STS);
    assert.match(
      missing,
      /<Code>MissingAuthenticationToken<\/Code>\n {4}<Message>Request is missing Authentication Token</,
    );
    assert.match(
      serializeQueryError(CommonErrors.unrecognizedClient(), "r", STS),
      /<Code>InvalidClientTokenId</,
    );
    assert.match(
      serializeQueryError(CommonErrors.invalidSignature("x"), "r", STS),
      /<Code>SignatureDoesNotMatch</,
    );
    assert.match(serializeQueryError(CommonErrors.expiredToken(), "r", STS), /<Code>ExpiredToken</);
    assert.match(serializeQueryError(CommonErrors.internal(), "r", STS), /<Type>Receiver</);
    const invalid = serializeQueryError(
      new AwsError("InvalidAction", "Could not find operation X for version 2011-06-15"),
      "r",
      STS,
    );
    assert.match(invalid, new RegExp(`^<ErrorResponse xmlns="${AWS_FAULT_NAMESPACE}">`));
    // MalformedInput comes without a message.
    assert.doesNotMatch(serializeQueryError(new AwsError("MalformedInput", ""), "r", STS), /<Message>/);
  });

  test("characters XML cannot carry are replaced, so echoed input never breaks the document", () => {
    const xml = serializeQueryError(
      new AwsError("ValidationError", "Value 'a\u0000b\ud800\r' is bad"),
      "r",
      STS,
    );
    assert.match(xml, /<Message>Value 'a\ufffdb\ufffd&#13;' is bad<\/Message>/);
  });
});

/** An STS client whose HTTP handler is the codec under test plus a fixed answer. */
function stsClient(
  answer: (action: string, input: Record<string, unknown>) => HttpResponse,
  seen: HttpRequest[] = [],
) {
  return new STSClient({
    region: "us-east-1",
    endpoint: "http://127.0.0.1:4580",
    credentials: { accessKeyId: "AKIAEXAMPLEKEY000001", secretAccessKey: "secret" },
    maxAttempts: 1,
    requestHandler: {
      handle: async (req: HttpRequest) => {
        seen.push(req);
        const { action, input } = decodeQueryRequest(String(req.body), STS);
        return { response: answer(action, input) };
      },
    },
  });
}

/** The SDK reads the request id from the x-amzn-requestid header, not from the XML. */
function xmlResponse(status: number, body: string, requestId: string): HttpResponse {
  const headers = { "content-type": "text/xml", "x-amzn-requestid": requestId };
  return new HttpResponse({ statusCode: status, headers, body: Buffer.from(body) });
}

describe("aws-query: round trip through @aws-sdk/client-sts", () => {
  test("the SDK's request decodes to its input; our response parses to the output", async () => {
    const expiration = new Date("2024-01-01T01:00:00Z");
    const seen: HttpRequest[] = [];
    let decoded: Record<string, unknown> = {};
    const client = stsClient((action, input) => {
      decoded = input;
      const output = {
        AssumedRoleUser: {
          AssumedRoleId: "AROAEXAMPLE:s",
          Arn: "arn:aws:sts::123456789012:assumed-role/R/s",
        },
        Credentials: {
          AccessKeyId: "ASIAX",
          SecretAccessKey: "sec",
          SessionToken: "tok+/=",
          Expiration: expiration,
        },
      };
      return xmlResponse(200, serializeQueryResponse(action, output, "rid-1", STS), "rid-1");
    }, seen);
    const input: AssumeRoleCommandInput = {
      RoleArn: "arn:aws:iam::123456789012:role/R",
      RoleSessionName: "s",
      DurationSeconds: 900,
      Tags: [{ Key: "team", Value: "a b" }],
      TransitiveTagKeys: ["team"],
    };
    const out = await client.send(new AssumeRoleCommand(input));
    assert.equal(seen[0]?.headers["content-type"], "application/x-www-form-urlencoded");
    assert.deepEqual(decoded, {
      RoleArn: input.RoleArn,
      RoleSessionName: "s",
      DurationSeconds: "900",
      Tags: [{ Key: "team", Value: "a b" }],
      TransitiveTagKeys: ["team"],
    });
    assert.deepEqual(out.Credentials, {
      AccessKeyId: "ASIAX",
      SecretAccessKey: "sec",
      SessionToken: "tok+/=",
      Expiration: expiration,
    });
    assert.deepEqual(out.AssumedRoleUser, {
      AssumedRoleId: "AROAEXAMPLE:s",
      Arn: "arn:aws:sts::123456789012:assumed-role/R/s",
    });
    assert.equal(out.$metadata.requestId, "rid-1");
  });

  test("our error parses to the SDK's error with code, message, status and request id", async () => {
    const err = new AwsError("AccessDenied", "User: arn:aws:iam::1:user/u is not authorized", 403);
    const client = stsClient(() => xmlResponse(403, serializeQueryError(err, "rid-2", STS), "rid-2"));
    await assert.rejects(
      client.send(new GetCallerIdentityCommand({})),
      (e: { name: string; message: string; $metadata: { httpStatusCode?: number; requestId?: string } }) => {
        assert.equal(e.name, "AccessDenied");
        assert.equal(e.message, err.message);
        assert.equal(e.$metadata.httpStatusCode, 403);
        assert.equal(e.$metadata.requestId, "rid-2");
        return true;
      },
    );
  });
});
