import { AwsError } from "../protocol/errors.js";

/**
 * Insights' API errors (HTTP 400, code = the model's shape name). CloudTrail's messages for
 * these are not published except InsightNotEnabled's (the user guide quotes "Trail <arn> does
 * not have Insights enabled."); the others are descriptive.
 */
const e = (code: string, message: string) => new AwsError(code, message, 400);

export const InsightErrors = {
  notEnabled: (arn: string, kind: "Trail" | "Event data store" = "Trail") =>
    e("InsightNotEnabledException", `${kind} ${arn} does not have Insights enabled.`),
  invalidSelectors: (message: string) => e("InvalidInsightSelectorsException", message),
  invalidParameter: (message: string) => e("InvalidParameterException", message),
  invalidParameterCombination: (message: string) => e("InvalidParameterCombinationException", message),
  invalidNextToken: () => e("InvalidNextTokenException", "The provided NextToken is not valid."),
  storeNotFound: (ref: string) =>
    e("EventDataStoreNotFoundException", `The specified event data store ${ref} was not found.`),
  storeArnInvalid: (ref: string) =>
    e("EventDataStoreARNInvalidException", `The specified event data store ARN ${ref} is not valid.`),
  inactiveStore: (arn: string) =>
    e("InactiveEventDataStoreException", `The event data store ${arn} is not active.`),
} as const;
