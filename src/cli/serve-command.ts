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
