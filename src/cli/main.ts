#!/usr/bin/env node
import { Command, CommanderError } from "commander";
import { ConfigError } from "../config/config.js";
import { DataDirLockedError } from "../config/data-dir-lock.js";
import { registerCredentialsCommand } from "./credentials-command.js";
import { registerImportCommand } from "./import-command.js";
import { registerInsightsCommand } from "./insights-command.js";
import { registerLookupCommand } from "./lookup-command.js";
import { registerQueryCommand } from "./query-command.js";
import { registerServeCommand } from "./serve-command.js";
import { registerValidateLogsCommand } from "./validate-logs-command.js";

const program = new Command()
  .name("opentrail")
  .description("OpenTrail: a self-hosted audit trail service compatible with AWS CloudTrail")
  .version("0.1.0")
  .showHelpAfterError();
registerServeCommand(program);
registerCredentialsCommand(program);
registerLookupCommand(program);
registerInsightsCommand(program);
registerQueryCommand(program);
registerImportCommand(program);
registerValidateLogsCommand(program);

/** Known failures print one line and exit 1; anything else is a bug and keeps its stack. */
program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  const known =
    e instanceof ConfigError || e instanceof DataDirLockedError || (e as Error)?.name?.endsWith("Error");
  process.stderr.write(`opentrail: ${known ? (e as Error).message : String((e as Error)?.stack ?? e)}\n`);
  process.exit(1);
});
