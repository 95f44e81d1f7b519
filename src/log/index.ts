export { FileCursorStore } from "./cursor-store.js";
export { EventLog } from "./event-log.js";
export { MAX_PAYLOAD_BYTES } from "./frame.js";
export { LogError, type LogErrorCode } from "./log-error.js";
export type {
  Consumer,
  ConsumerOptions,
  CursorStore,
  EventLogOptions,
  LogLogger,
  LogRecord,
  LogStats,
} from "./types.js";
