export { type AttachHistoryOptions, attachHistory, type ConsumableLog } from "./attach-history.js";
export {
  HistoryIndex,
  type HistoryIndexOptions,
  type HistoryScope,
  type HistoryStats,
} from "./history-index.js";
export { createHistoryService, type HistoryService, type HistoryServiceOptions } from "./history-service.js";
