import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { Command } from "commander";
import {
  ACCOUNT,
  BUCKET,
  context,
  managementEvent,
  type TrailFixture,
  trailFixture,
} from "../trails/test-support/trail-fixture.js";
import { parseCliTime, registerValidateLogsCommand, runValidateLogs } from "./validate-logs-command.js";

const ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/CliTrail`;

describe("opentrail validate-logs", () => {
  let fx: TrailFixture;
  const started = new Date(Date.now() - 60_000);
  before(async () => {
    fx = await trailFixture({ digestIntervalSeconds: 1 });
    const east = context();
    await fx.service.handlers.CreateTrail(
      { Name: "CliTrail", S3BucketName: BUCKET, EnableLogFileValidation: true },
      east,
    );
    await fx.service.handlers.StartLogging({ Name: "CliTrail" }, east);
    await fx.service.runDigests();
    const [seq] = await fx.append(managementEvent({ eventName: "Cli" }));
    await fx.service.caughtUp(ARN, (seq as number) + 1);
    await new Promise((r) => setTimeout(r, 1100));
    await fx.service.runDigests();
  });
  after(async () => {
    await fx.close();
    fx.remove();
  });

  const run = async (flags: Partial<Parameters<typeof runValidateLogs>[0]>) => {
    let stdout = "";
    let stderr = "";
    const code = await runValidateLogs(
      { trailArn: ARN, startTime: started.toISOString(), ...flags },
      {},
      { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
      fx.source(),
    );
    return { code, stdout, stderr };
  };

  test("clean trail: exit 0 and the AWS CLI's summary", async () => {
    const r = await run({ verbose: true });
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.match(
      r.stdout,
      /^Validating log files for trail arn:aws:cloudtrail:us-east-1:123456789012:trail\/CliTrail between /,
    );
    // The 1 s digest timer may tick once more than the explicit runs: every digest must be valid.
    assert.match(r.stdout, /\n(\d+)\/\1 digest files valid\n1\/1 log files valid\n$/);
  });

  test("bad arguments exit 252 with the CLI's message on stderr; unknown trail 255", async () => {
    assert.deepEqual(await run({ trailArn: "bad" }), {
      code: 252,
      stdout: "",
      stderr: "\nInvalid trail ARN provided: bad\n",
    });
    const reversed = await run({ startTime: "2024-01-02T00:00:00Z", endTime: "2024-01-01T00:00:00Z" });
    assert.equal(reversed.code, 252);
    assert.equal(reversed.stderr, "\nInvalid time range specified: start-time must occur before end-time\n");
    assert.equal((await run({ startTime: "yesterday-ish" })).code, 252);
    const unknown = await run({ trailArn: ARN.replace("CliTrail", "Nope1") });
    assert.equal(unknown.code, 255);
    assert.equal(unknown.stderr, `\nA trail could not be found for ${ARN.replace("CliTrail", "Nope1")}\n`);
  });

  test("times: ISO with or without zone (UTC), dates", () => {
    assert.equal(parseCliTime("2024-05-01T00:00:00Z").toISOString(), "2024-05-01T00:00:00.000Z");
    assert.equal(parseCliTime("2024-05-01T02:00:00+02:00").toISOString(), "2024-05-01T00:00:00.000Z");
    assert.equal(parseCliTime("2024-05-01 10:20").toISOString(), "2024-05-01T10:20:00.000Z");
    assert.equal(parseCliTime("2024-05-01").toISOString(), "2024-05-01T00:00:00.000Z");
  });

  test("registers the AWS CLI's options", () => {
    const program = new Command().exitOverride();
    registerValidateLogsCommand(program);
    const cmd = program.commands.find((c) => c.name() === "validate-logs");
    assert.ok(cmd);
    assert.deepEqual(
      cmd.options.map((o) => o.long),
      [
        "--trail-arn",
        "--start-time",
        "--end-time",
        "--s3-bucket",
        "--s3-prefix",
        "--account-id",
        "--verbose",
        "--endpoint-url",
        "--region",
      ],
    );
  });
});
