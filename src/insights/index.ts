export {
  type AnalyzerHooks,
  type AnalyzerSettings,
  type AnalyzerStats,
  DEFAULT_ANALYZER,
  InsightsAnalyzer,
} from "./analyzer.js";
export { DEFAULT_DETECTOR, type DetectorSettings } from "./detector.js";
export type { InsightTransition } from "./insight-lifecycle.js";
export {
  createInsightsService,
  type InsightsHandlers,
  type InsightsService,
  type InsightsServiceDeps,
  type InsightsSettings,
} from "./insights-service.js";
export { downsample, rateChart } from "./rate-chart.js";
export { emptyScan, type ScannedEvent, scanEvent } from "./scan-event.js";
export type { EventDataStoreDirectory, EventDataStoreView } from "./selector-handlers.js";
export type { InsightType, SeriesKey } from "./series-key.js";
