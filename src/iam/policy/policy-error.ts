/**
 * A policy document that cannot be accepted. `message` is the text S3 puts in a
 * `MalformedPolicy` error (and IAM in `MalformedPolicyDocument`), e.g. "Policy has invalid action".
 */
export class PolicyError extends Error {
  override readonly name = "PolicyError";
}
