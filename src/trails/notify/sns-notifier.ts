import { createHash, randomUUID } from "node:crypto";
import type { Logger } from "../../config/logger.js";
import { cloudTrailLogMessage, snsNotificationRequest } from "./sns-message.js";
import type { SnsSigner } from "./sns-signer.js";

/** Where a topic's notifications go: `topic` is a topic name (any account and Region) or an ARN. */
export interface SnsEndpoint {
  topic: string;
  url: string;
}

export interface NotificationOutcome {
  /** When the last attempt ended. */
  at: number;
  /** Absent when the endpoint took the notification (2xx). */
  error?: string;
}

export interface SnsNotifierOptions {
  endpoints: readonly SnsEndpoint[];
  signer: SnsSigner;
  /** OpenTrail's own URL, for SigningCertURL and UnsubscribeURL. */
  publicUrl(): string;
  now(): number;
  logger: Logger;
  /** Attempts per notification (default 4: SNS's default HTTP policy of 3 retries). */
  attempts?: number;
  /** First retry delay, doubling after each failure (default 1 s). */
  firstRetryMs?: number;
  /** Per-attempt timeout (default 15 s, as SNS waits for an HTTP endpoint). */
  timeoutMs?: number;
  /** Notifications waiting per endpoint before the oldest is dropped (default 1000). */
  maxQueued?: number;
}

interface Job {
  topicArn: string;
  messageId: string;
  message: string;
  report(outcome: NotificationOutcome): void;
}

interface Queue {
  endpoint: SnsEndpoint;
  jobs: Job[];
  running?: Promise<void>;
}

const STOP_GRACE_MS = 3000;

/**
 * Sends CloudTrail's "log files delivered" notifications to the HTTP(S) endpoints configured
 * for SNS topics, as SNS would deliver them to an HTTP subscription. Fire and forget for
 * delivery: `publish` only queues, so a slow or failing endpoint never holds up log files.
 * Each endpoint gets its notifications in order, one at a time, each retried with backoff up to
 * `attempts` times with the same MessageId (as SNS does); 429, 5xx, timeouts and network errors
 * are retried, other statuses are final. Nothing is persisted: notifications still queued when
 * the process ends are lost (the log files themselves are safe).
 */
export class SnsNotifier {
  private readonly queues = new Map<string, Queue>();
  private readonly aborts = new Set<AbortController>();
  private stopping = false;
  /** Set when the stop grace period is over: what is left is dropped unsent. */
  private abandoned = false;
  private wake: Array<() => void> = [];

  constructor(private readonly opts: SnsNotifierOptions) {}

  get signer(): SnsSigner {
    return this.opts.signer;
  }

  /** The endpoint for a topic ARN: an ARN entry first, then one for the topic's name. */
  endpointFor(topicArn: string): SnsEndpoint | undefined {
    const name = topicArn.split(":")[5];
    return (
      this.opts.endpoints.find((e) => e.topic === topicArn) ??
      this.opts.endpoints.find((e) => !e.topic.startsWith("arn:") && e.topic === name)
    );
  }

  /** Queues the notification of delivered log files; `report` hears how it ended. */
  publish(topicArn: string, bucket: string, keys: readonly string[], report: Job["report"]): void {
    const endpoint = this.endpointFor(topicArn);
    if (!endpoint || this.stopping) {
      report({ at: this.opts.now(), error: endpoint ? "ServiceUnavailable" : "NotFound" });
      return;
    }
    const id = `${endpoint.topic}\n${endpoint.url}`;
    let queue = this.queues.get(id);
    if (!queue) {
      queue = { endpoint, jobs: [] };
      this.queues.set(id, queue);
    }
    queue.jobs.push({
      topicArn,
      messageId: randomUUID(),
      message: cloudTrailLogMessage(bucket, keys),
      report,
    });
    const max = this.opts.maxQueued ?? 1000;
    while (queue.jobs.length > max) queue.jobs.shift()?.report({ at: this.opts.now(), error: "Throttled" });
    if (!queue.running) {
      const q = queue;
      q.running = this.drain(q).finally(() => {
        q.running = undefined;
      });
    }
  }

  /** Gives queued notifications one last attempt (within a few seconds), then aborts the rest. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const w of this.wake) w();
    const running = [...this.queues.values()].map((q) => q.running);
    const timer = setTimeout(() => {
      this.abandoned = true;
      for (const a of this.aborts) a.abort();
    }, STOP_GRACE_MS);
    await Promise.all(running);
    clearTimeout(timer);
  }

  private async drain(queue: Queue): Promise<void> {
    for (let job = queue.jobs.shift(); job; job = queue.jobs.shift()) {
      job.report(await this.deliver(queue.endpoint, job));
    }
  }

  private async deliver(endpoint: SnsEndpoint, job: Job): Promise<NotificationOutcome> {
    const attempts = this.opts.attempts ?? 4;
    let delay = this.opts.firstRetryMs ?? 1000;
    for (let attempt = 1; ; attempt++) {
      const error = this.abandoned ? "ServiceUnavailable" : await this.post(endpoint, job);
      if (error === undefined) return { at: this.opts.now() };
      const retryable = !error.startsWith("HTTP 4") || error === "HTTP 429";
      if (!retryable || attempt >= attempts || this.stopping) {
        this.opts.logger.warn("SNS notification not delivered", {
          topic: job.topicArn,
          endpoint: endpoint.url,
          messageId: job.messageId,
          attempts: attempt,
          error,
        });
        return { at: this.opts.now(), error };
      }
      await this.sleep(delay);
      delay *= 2;
    }
  }

  /** One POST; undefined when the endpoint answered 2xx, else what went wrong. */
  private async post(endpoint: SnsEndpoint, job: Job): Promise<string | undefined> {
    const base = this.opts.publicUrl();
    const subscriptionArn = `${job.topicArn}:${subscriptionId(job.topicArn, endpoint.url)}`;
    const request = snsNotificationRequest(
      {
        messageId: job.messageId,
        topicArn: job.topicArn,
        subscriptionArn,
        message: job.message,
        timestamp: new Date(this.opts.now()).toISOString(),
        signingCertUrl: `${base}${this.opts.signer.certificatePath}`,
        unsubscribeUrl: `${base}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
      },
      (s) => this.opts.signer.sign(s),
    );
    const abort = new AbortController();
    this.aborts.add(abort);
    const timer = setTimeout(() => abort.abort(), this.opts.timeoutMs ?? 15_000);
    try {
      const res = await fetch(endpoint.url, {
        method: "POST",
        headers: request.headers,
        body: request.body,
        signal: abort.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.status >= 200 && res.status < 300 ? undefined : `HTTP ${res.status}`;
    } catch (err) {
      if (abort.signal.aborted) return "Timeout";
      const cause = (err as { cause?: { code?: unknown } }).cause;
      return typeof cause?.code === "string" ? cause.code : err instanceof Error ? err.message : String(err);
    } finally {
      clearTimeout(timer);
      this.aborts.delete(abort);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = this.wake.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wake.push(done);
    });
  }
}

/** A stable subscription id per (topic, endpoint), shaped like SNS's UUIDs. */
function subscriptionId(topicArn: string, url: string): string {
  const h = createHash("sha256").update(`${topicArn}\n${url}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
