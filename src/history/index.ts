export {
  type AttachHistoryOptions,
  attachHistory,
  type ConsumableLog,
  type IndexedHistory,
} from "./attach-history.js";
export {
  HistoryIndex,
  type HistoryIndexOptions,
  type HistoryScope,
  type HistoryStats,
} from "./history-index.js";
export {
  createHistoryService,
  type HistoryLookup,
  type HistoryService,
  type HistoryServiceOptions,
} from "./history-service.js";
export { HistoryThread } from "./history-thread.js";
