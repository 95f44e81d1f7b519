import type { Command } from "commander";
import { resolveConfig } from "../config/config.js";
import { createLogger } from "../config/logger.js";
import { startOpenTrail } from "../main.js";
import { formatCredentials } from "./credentials-format.js";

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("run the OpenTrail server (CloudTrail, STS and S3 APIs on one port)")
    .option("--host <host>", "listen address (env OPENTRAIL_HOST)", undefined)
    .option("--port <port>", "listen port, 0 for any free port (env OPENTRAIL_PORT, default 4580)")
    .option("--data <dir>", "data folder (env OPENTRAIL_DATA_DIR, default ./data)")
    .option("--region <region>", "default region (env OPENTRAIL_REGION, default us-east-1)")
    .option(
      "--identities <file>",
      "load accounts, users, access keys and roles from a JSON file (env OPENTRAIL_IDENTITIES)",
    )
    .option("--log-level <level>", "debug, info, warn, error or silent (env OPENTRAIL_LOG_LEVEL)")
    .option(
      "--delivery-interval <seconds>",
      "how often trails deliver log files (env OPENTRAIL_DELIVERY_INTERVAL, default 5)",
    )
    .option(
      "--digest-interval <seconds>",
      "how often trails write digest files (env OPENTRAIL_DIGEST_INTERVAL, default 3600)",
    )
    .option(
      "--sns-endpoint <spec>",
      "trails with SnsTopicName TOPIC (a topic name or ARN) POST SNS notifications of delivered log files to URL, as TOPIC=URL; repeatable (env OPENTRAIL_SNS_ENDPOINTS, ';'-separated)",
      collect,
    )
    .option(
      "--upstream <spec>",
      "audit gateway: forward and record calls signed for SERVICE, as SERVICE=URL[,accessKeyId=..,secretAccessKey=..,region=..,timeout=SECONDS]; repeatable (env OPENTRAIL_UPSTREAMS, ';'-separated)",
      collect,
    )
    .option(
      "--upstream-timeout <seconds>",
      "idle timeout towards upstreams (env OPENTRAIL_UPSTREAM_TIMEOUT, default 60)",
    )
    .option(
      "--trusted-proxy <cidr>",
      "believe X-Forwarded-For from this reverse proxy address or CIDR; repeatable (env OPENTRAIL_TRUSTED_PROXIES, ','-separated)",
      collect,
    )
    .option(
      "--lake-query-timeout <seconds>",
      "CloudTrail Lake query time limit (env OPENTRAIL_LAKE_QUERY_TIMEOUT, default 3600)",
    )
    .option(
      "--lake-query-memory <size>",
      "memory limit of each account's Lake query engine, e.g. 512MB (env OPENTRAIL_LAKE_QUERY_MEMORY, default 1GB)",
    )
    .option(
      "--insights-baseline-days <days>",
      "Insights baseline window (env OPENTRAIL_INSIGHTS_BASELINE_DAYS, default 7, as CloudTrail)",
    )
    .option(
      "--insights-clock <clock>",
      "wall: Insights minutes also close as time passes; events: only event times move them (env OPENTRAIL_INSIGHTS_CLOCK, default wall)",
    )
    .option(
      "--import-s3-endpoint <url>",
      "external S3 that StartImport may read from; keys in OPENTRAIL_IMPORT_S3_ACCESS_KEY_ID/_SECRET_ACCESS_KEY (env OPENTRAIL_IMPORT_S3_ENDPOINT)",
    )
    .action(async (flags) => {
      const config = resolveConfig(flags);
      const logger = createLogger(config.logLevel);
      const app = await startOpenTrail(config, logger);
      if (app.createdCredentials) {
        const creds = app.identities.adminCredentials();
        process.stdout.write(
          `OpenTrail created account ${creds.accountId} with an admin access key (stored in ${config.dataDir}, mode 0600).\n` +
            `Use it with the AWS CLI:\n${formatCredentials(creds, config.region, "env")}\n`,
        );
      }
      process.stdout.write(`OpenTrail listening on ${app.url} (data: ${config.dataDir})\n`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info("shutting down", { signal });
        app.stop().then(
          () => process.exit(0),
          (e) => {
            logger.error("shutdown failed", { error: e });
            process.exit(1);
          },
        );
      };
      process.on("SIGTERM", () => stop("SIGTERM"));
      process.on("SIGINT", () => stop("SIGINT"));
    });
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
