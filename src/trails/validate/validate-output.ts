import type { LoadedDigest } from "./check-digest.js";
import type { ValidationReport, ValidationReporter } from "./validate-logs.js";

export interface OutputStreams {
  stdout(text: string): void;
  stderr(text: string): void;
}

const fmt = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/**
 * aws-cli's validate-logs output, byte for byte (reference §4.6): the start line, per-file
 * `valid` lines on stdout with --verbose, every failure on stderr followed by a blank line, and
 * the summary.
 */
export class ValidateLogsOutput implements ValidationReporter {
  private lastWasDoubleSpace = true;

  constructor(
    private readonly out: OutputStreams,
    private readonly verbose: boolean,
  ) {}

  started(trailArn: string, start: Date, end: Date): void {
    this.out.stdout(`Validating log files for trail ${trailArn} between ${fmt(start)} and ${fmt(end)}\n\n`);
  }

  digestValid(d: LoadedDigest): void {
    this.status(`Digest file\ts3://${d.digestS3Bucket}/${d.digestS3Object}\tvalid`);
  }

  digestInvalid(message: string): void {
    this.status(message, true);
  }

  digestMissing(bucket: string, key: string): void {
    this.status(`Digest file\ts3://${bucket}/${key}\tINVALID: not found`, true);
  }

  gap(nextEnd: Date, lastStart: Date): void {
    this.status(
      `No log files were delivered by CloudTrail between ${fmt(nextEnd)} and ${fmt(lastStart)}`,
      true,
    );
  }

  logValid(bucket: string, key: string): void {
    this.status(`Log file\ts3://${bucket}/${key}\tvalid`);
  }

  logInvalid(bucket: string, key: string, problem: string): void {
    this.status(`Log file\ts3://${bucket}/${key}\tINVALID: ${problem}`, true);
  }

  summary(r: ValidationReport): void {
    const w = (s: string) => this.out.stdout(s);
    if (!this.lastWasDoubleSpace) w("\n");
    w(`Results requested for ${fmt(r.startTime)} to ${fmt(r.endTime)}\n`);
    if (r.validDigests === 0 && r.invalidDigests === 0) {
      w("No digests found\n");
      return;
    }
    if (!r.foundStart || !r.foundEnd) w("No valid digests found in range\n");
    else w(`Results found for ${fmt(r.foundStart)} to ${fmt(r.foundEnd)}:\n`);
    this.ratio(r.validDigests, r.invalidDigests, "digest");
    this.ratio(r.validLogs, r.invalidLogs, "log");
    w("\n");
  }

  private ratio(valid: number, invalid: number, name: string): void {
    const total = valid + invalid;
    if (total === 0) return;
    this.out.stdout(`\n${valid}/${total} ${name} files valid`);
    if (invalid > 0) this.out.stdout(`, ${invalid}/${total} ${name} files INVALID`);
  }

  private status(message: string, isError = false): void {
    if (isError) {
      this.out.stderr(this.lastWasDoubleSpace ? `${message}\n\n` : `\n${message}\n\n`);
      this.lastWasDoubleSpace = true;
    } else if (this.verbose) {
      this.lastWasDoubleSpace = false;
      this.out.stdout(`${message}\n`);
    }
  }
}

/** Exit status as the AWS CLI's: 1 when any digest or log file failed, else 0. */
export function exitCodeOf(r: ValidationReport): number {
  return r.invalidDigests > 0 || r.invalidLogs > 0 ? 1 : 0;
}
