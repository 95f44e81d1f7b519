/**
 * Errors the log raises itself, each with a stable code. Invalid arguments are RangeErrors and
 * I/O failures (ENOSPC, EIO, ...) reach the caller as the original Node error.
 */
export type LogErrorCode =
  /** The log was closed; appends and reads are refused. */
  | "ERR_LOG_CLOSED"
  /** A write failed and the file could not be put back to its last durable length; the log
   * refuses further appends until reopened, which recovers the tail. */
  | "ERR_LOG_BROKEN"
  /** Stored bytes do not match what was written (CRC mismatch or missing records before the tail). */
  | "ERR_LOG_CORRUPT"
  /** Another EventLog, in this or another live process, has the directory open. */
  | "ERR_LOG_LOCKED"
  /** A consumer with this name is already running. */
  | "ERR_CONSUMER_EXISTS"
  /** The consumer stopped before reaching the position a caller waited for. */
  | "ERR_CONSUMER_STOPPED"
  /** A cursor file does not hold a valid position. */
  | "ERR_CURSOR_CORRUPT";

export class LogError extends Error {
  constructor(
    readonly code: LogErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "LogError";
  }
}
