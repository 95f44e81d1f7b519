import { AwsError } from "../protocol/errors.js";

/**
 * The LookupEvents errors, with CloudTrail's exact codes (HTTP 400). AWS does not publish the
 * messages; these follow the wording of the model's documentation.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html#API_LookupEvents_Errors
 */
export const LookupErrors = {
  invalidLookupAttributes: (detail: string) => new AwsError("InvalidLookupAttributesException", detail),
  invalidTimeRange: (detail: string) => new AwsError("InvalidTimeRangeException", detail),
  invalidMaxResults: (value: unknown) =>
    new AwsError(
      "InvalidMaxResultsException",
      `Value ${String(value)} for MaxResults is invalid: the maximum number of results must be an integer from 1 to 50.`,
    ),
  invalidNextToken: () =>
    new AwsError(
      "InvalidNextTokenException",
      "The NextToken is invalid. Use the token from the previous response, with the same request parameters.",
    ),
  invalidEventCategory: (value: unknown) =>
    new AwsError(
      "InvalidEventCategoryException",
      `Value ${JSON.stringify(value)} for EventCategory is invalid: the only valid value is "insight".`,
    ),
} as const;
