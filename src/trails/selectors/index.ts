import type { AdvancedEventSelector, EventSelector } from "@aws-sdk/client-cloudtrail";
import { DEFAULT_EVENT_SELECTORS } from "../trail-model.js";
import { compileAdvancedEventSelectors } from "./advanced-selectors.js";
import { compileEventSelectors } from "./basic-selectors.js";
import type { EventPredicate } from "./event-fields.js";

export { MAX_ADVANCED_SELECTOR_VALUES, validateAdvancedEventSelectors } from "./advanced-selector-rules.js";
export { compileAdvancedEventSelector, compileAdvancedEventSelectors } from "./advanced-selectors.js";
export { compileEventSelectors, validateEventSelectors } from "./basic-selectors.js";
export { categoryOf, type EventPredicate } from "./event-fields.js";

/** A trail's selectors compiled once; advanced ones win when set (they replace basic ones). */
export function compileSelectors(spec: {
  eventSelectors?: EventSelector[];
  advancedEventSelectors?: AdvancedEventSelector[];
}): EventPredicate {
  if (spec.advancedEventSelectors) return compileAdvancedEventSelectors(spec.advancedEventSelectors);
  return compileEventSelectors(spec.eventSelectors ?? DEFAULT_EVENT_SELECTORS);
}
