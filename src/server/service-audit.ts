import type { EventResource, JsonObject } from "../events/cloudtrail-event.js";
import type { RequestContext } from "./request-context.js";

/**
 * How calls to one service become CloudTrail records. The edge records every call it
 * dispatches through this description, successful or not, before it answers.
 */
export interface ServiceAudit {
  eventSource: string;
  /** Whether CloudTrail records this operation at all. Default: all. */
  isRecorded?(operation: string): boolean;
  isReadOnly(operation: string): boolean;
  /** Default: Management. */
  category?(operation: string): "Management" | "Data";
  requestParameters(operation: string, input: Record<string, unknown>): JsonObject | null;
  /** Only asked for successful calls. */
  responseElements(
    operation: string,
    input: Record<string, unknown>,
    output: Record<string, unknown>,
  ): JsonObject | null;
  resources?(
    operation: string,
    input: Record<string, unknown>,
    output: Record<string, unknown> | undefined,
    ctx: RequestContext,
  ): EventResource[] | undefined;
}
