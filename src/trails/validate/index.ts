export {
  type LogFileProblem,
  type ValidateLogsOptions,
  type ValidationReport,
  type ValidationReporter,
  validateLogs,
} from "./validate-logs.js";
export { exitCodeOf, type OutputStreams, ValidateLogsOutput } from "./validate-output.js";
export {
  type SourceObject,
  type SourcePublicKey,
  type TrailLocation,
  ValidateLogsError,
  type ValidationSource,
} from "./validation-source.js";
