/**
 * Amazon SNS's HTTP/HTTPS notification: the JSON body and x-amz-sns-* headers SNS POSTs to a
 * subscribed endpoint, signed as SNS signs it (SignatureVersion 2: SHA256withRSA over
 * "Message\n<v>\nMessageId\n<v>\n[Subject\n<v>\n]Timestamp\n<v>\nTopicArn\n<v>\nType\n<v>\n").
 * https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message-verify-message-signature.html
 */
export interface SnsNotificationInput {
  messageId: string;
  topicArn: string;
  subscriptionArn: string;
  subject?: string;
  message: string;
  /** ISO 8601 with milliseconds, as SNS writes it. */
  timestamp: string;
  signingCertUrl: string;
  unsubscribeUrl: string;
}

export interface SnsHttpRequest {
  headers: Record<string, string>;
  body: string;
}

export const SNS_SIGNATURE_VERSION = "2";

/** The string SNS signs for a Notification, fields in this fixed order. */
export function notificationStringToSign(n: {
  Message: string;
  MessageId: string;
  Subject?: string;
  Timestamp: string;
  TopicArn: string;
  Type: string;
}): string {
  const subject = n.Subject === undefined ? "" : `Subject\n${n.Subject}\n`;
  return `Message\n${n.Message}\nMessageId\n${n.MessageId}\n${subject}Timestamp\n${n.Timestamp}\nTopicArn\n${n.TopicArn}\nType\n${n.Type}\n`;
}

/** The POST SNS makes; `sign` returns the base64 SHA256withRSA signature of its input. */
export function snsNotificationRequest(
  input: SnsNotificationInput,
  sign: (stringToSign: string) => string,
): SnsHttpRequest {
  const fields = {
    Type: "Notification",
    MessageId: input.messageId,
    TopicArn: input.topicArn,
    Subject: input.subject,
    Message: input.message,
    Timestamp: input.timestamp,
  };
  const body = {
    ...fields,
    SignatureVersion: SNS_SIGNATURE_VERSION,
    Signature: sign(notificationStringToSign(fields)),
    SigningCertURL: input.signingCertUrl,
    UnsubscribeURL: input.unsubscribeUrl,
  };
  return {
    headers: {
      "content-type": "text/plain; charset=UTF-8",
      "user-agent": "Amazon Simple Notification Service Agent",
      "x-amz-sns-message-type": "Notification",
      "x-amz-sns-message-id": input.messageId,
      "x-amz-sns-topic-arn": input.topicArn,
      "x-amz-sns-subscription-arn": input.subscriptionArn,
    },
    // JSON.stringify leaves out an undefined Subject, as SNS does when none was published.
    body: JSON.stringify(body),
  };
}

/**
 * CloudTrail's message for delivered log files: the bucket and the full keys.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/configure-sns-notifications-for-cloudtrail.html
 */
export function cloudTrailLogMessage(bucket: string, keys: readonly string[]): string {
  return JSON.stringify({ s3Bucket: bucket, s3ObjectKey: keys });
}
