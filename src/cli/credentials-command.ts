import type { Command } from "commander";
import { resolveConfig } from "../config/config.js";
import { readAdminCredentials } from "../iam/identity-store.js";
import { type CredentialsFormat, formatCredentials } from "./credentials-format.js";

export function registerCredentialsCommand(program: Command): void {
  program
    .command("credentials")
    .description("print the admin access key pair of a data folder")
    .option("--data <dir>", "data folder (env OPENTRAIL_DATA_DIR, default ./data)")
    .option("--region <region>", "region to print (env OPENTRAIL_REGION, default us-east-1)")
    .option(
      "--identities <file>",
      "the identities file the server was started with (env OPENTRAIL_IDENTITIES)",
    )
    .option("--env", "print `export AWS_...=` lines for a shell")
    .option("--json", "print JSON")
    .option("--profile [name]", "print an AWS CLI credentials/config profile (default name: opentrail)")
    .action((flags) => {
      const config = resolveConfig({ data: flags.data, region: flags.region, identities: flags.identities });
      const creds = readAdminCredentials(config.dataDir, config.identitiesFile);
      const format: CredentialsFormat = flags.env
        ? "env"
        : flags.json
          ? "json"
          : flags.profile
            ? "profile"
            : "text";
      const profile = typeof flags.profile === "string" ? flags.profile : undefined;
      process.stdout.write(`${formatCredentials(creds, config.region, format, profile)}\n`);
    });
}
