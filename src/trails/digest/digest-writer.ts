import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { Logger } from "../../config/logger.js";
import { formatEventTime } from "../../events/event-time.js";
import { type BucketPolicyCheck, deliveryErrorCode, type TrailBucketStore } from "../bucket-store.js";
import { sha256Hex } from "../delivery/log-file.js";
import { digestFileKey } from "../delivery/log-file-key.js";
import type { SigningKeyStore } from "../signing-keys.js";
import type { TrailEntry } from "../trail-registry.js";
import type { ChainState, PendingDigest, TrailStore } from "../trail-store.js";
import {
  buildDigest,
  digestStringToSign,
  HASH_ALGORITHM,
  SIGNATURE_ALGORITHM,
  signString,
} from "./digest-file.js";

const gzipAsync = promisify(gzip);

export interface DigestWriterDeps {
  store: TrailStore;
  buckets: TrailBucketStore;
  checkBucketPolicy: BucketPolicyCheck;
  keys: SigningKeyStore;
  /** Regions a multi-Region trail digests every interval, even when empty. */
  regions: string[];
  intervalMs: number;
  now(): number;
  logger: Logger;
}

/** Where the trail's delivery stands, for closing a chain only after its last log file. */
export interface DeliveryProgress {
  position: number;
  pending: boolean;
}

type FinalPending = PendingDigest & { final?: boolean };

/**
 * Digest chains (reference §4.1, §3.3): one per trail × Region while the trail logs with
 * validation on. Every interval a digest lists the log files delivered since the previous one
 * (possibly none), links to it, and is signed with the Region's current key. A chain starts
 * with all previousDigest* null; when logging stops or validation is turned off, a final digest
 * is written once delivery has passed that point, and the chain ends. Each digest is journaled
 * (body and signature) before it is written, so a crash rewrites the very same object.
 */
export class DigestWriter {
  private readonly retryAt = new Map<string, number>();
  private readonly failures = new Map<string, number>();

  constructor(private readonly deps: DigestWriterDeps) {}

  async tick(entry: TrailEntry, delivery: DeliveryProgress): Promise<void> {
    const { config } = entry.record;
    const id = config.id;
    const latest = entry.epochs.latest;
    const active = latest?.logging && latest.validation;
    const wanted = new Set(
      config.isMultiRegionTrail ? [...this.deps.regions, config.homeRegion] : [config.homeRegion],
    );
    const chains = this.deps.store.chains(id);
    const regions = new Set([...wanted, ...chains.keys(), ...this.deps.store.pendingRegions(id)]);
    const caughtUp = latest !== undefined && delivery.position >= latest.fromSeq && !delivery.pending;
    for (const region of [...regions].sort()) {
      const chain = chains.get(region);
      const regionActive = active && wanted.has(region);
      const retryKey = `${id}/${region}`;
      if ((this.retryAt.get(retryKey) ?? 0) > this.deps.now()) continue;
      try {
        if (chain?.pending) await this.finish(entry, region, chain.pending as FinalPending);
        else if (regionActive && !chain) this.openChain(id, region, latest?.createdAt ?? this.deps.now());
        else if (regionActive && chain && this.deps.now() >= chain.startMs + this.deps.intervalMs)
          await this.write(entry, region, chain, false);
        else if (!regionActive && chain && caughtUp) await this.write(entry, region, chain, true);
        else if (!regionActive && !chain) this.deps.store.dropPendingFiles(id, region);
        this.failures.delete(retryKey);
        this.retryAt.delete(retryKey);
      } catch (err) {
        const n = (this.failures.get(retryKey) ?? 0) + 1;
        this.failures.set(retryKey, n);
        this.retryAt.set(retryKey, this.deps.now() + Math.min(100 * 2 ** n, 30_000));
        this.recordFailure(entry, err);
      }
    }
  }

  /**
   * DeleteTrail: each open chain ends with a final digest listing the files delivered since the
   * previous one, as CloudTrail delivers a last digest for a deleted trail. One attempt: a
   * failure (bucket gone, policy withdrawn) is logged and the trail is deleted all the same.
   */
  async closeChains(entry: TrailEntry): Promise<void> {
    const id = entry.record.config.id;
    for (const region of [...this.deps.store.chains(id).keys()].sort()) {
      try {
        let chain = this.deps.store.chains(id).get(region);
        const pending = chain?.pending as FinalPending | undefined;
        if (pending) await this.finish(entry, region, pending);
        chain = this.deps.store.chains(id).get(region);
        if (chain) await this.write(entry, region, chain, true);
      } catch (err) {
        this.deps.logger.warn("final digest of a deleted trail not written", {
          trail: entry.record.config.arn,
          region,
          error: deliveryErrorCode(err),
          message: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }

  /**
   * Opens a chain from the moment logging with validation began (the epoch's creation), so files
   * delivered between that moment and this tick are in the first digest; files delivered while
   * no chain was open are never digested (as in CloudTrail).
   */
  private openChain(trailId: string, region: string, activeSince: number): void {
    const startMs = Math.floor(Math.min(activeSince, this.deps.now()) / 1000) * 1000;
    this.deps.store.dropPendingFiles(trailId, region, startMs);
    this.deps.store.saveChain(trailId, region, {
      startTime: formatEventTime(new Date(startMs)),
      startMs,
      previous: null,
    });
  }

  private async write(entry: TrailEntry, region: string, chain: ChainState, final: boolean): Promise<void> {
    const { config } = entry.record;
    const now = this.deps.now();
    const endMs = Math.max(Math.floor(now / 1000) * 1000, chain.startMs + 1000);
    const endTime = formatEventTime(new Date(endMs));
    const files = this.deps.store.pendingFiles(config.id, region);
    const key = digestFileKey({
      prefix: config.s3KeyPrefix,
      accountId: config.accountId,
      region,
      trailName: config.name,
      homeRegion: config.homeRegion,
      endTime: new Date(endMs),
    });
    const signingKey = await this.deps.keys.current(region, now);
    const digest = buildDigest({
      accountId: config.accountId,
      startTime: chain.startTime,
      endTime,
      bucket: config.s3BucketName,
      key,
      fingerprint: signingKey.fingerprint,
      previous: chain.previous,
      logFiles: files.map((f) => ({
        s3Bucket: f.bucket,
        s3Object: f.key,
        hashValue: f.hash,
        hashAlgorithm: HASH_ALGORITHM,
        newestEventTime: f.newestEventTime,
        oldestEventTime: f.oldestEventTime,
      })),
    });
    const body = JSON.stringify(digest);
    const signature = signString(digestStringToSign(digest, Buffer.from(body)), signingKey.privateKey);
    const pending: FinalPending = {
      bucket: config.s3BucketName,
      key,
      endMs,
      body,
      signature,
      fileKeys: files.map((f) => f.key),
      final,
    };
    const journaled: ChainState = { ...chain, pending };
    this.deps.store.saveChain(config.id, region, journaled);
    await this.finish(entry, region, pending);
  }

  private async finish(entry: TrailEntry, region: string, pending: FinalPending): Promise<void> {
    const { config } = entry.record;
    const allowed = await this.deps.checkBucketPolicy({
      bucket: pending.bucket,
      prefix: config.s3KeyPrefix,
      accountId: config.accountId,
      trailArn: config.arn,
      region: config.homeRegion,
    });
    if (!allowed)
      throw Object.assign(new Error(`Access Denied to bucket ${pending.bucket}`), { code: "AccessDenied" });
    const body = Buffer.from(pending.body);
    await this.deps.buckets.putObject(pending.bucket, pending.key, await gzipAsync(body), {
      contentType: "application/json",
      contentEncoding: "gzip",
      metadata: { signature: pending.signature, "signature-algorithm": SIGNATURE_ALGORITHM },
    });
    const endTime = formatEventTime(new Date(pending.endMs));
    const next: ChainState | undefined = pending.final
      ? undefined
      : {
          startTime: endTime,
          startMs: pending.endMs,
          previous: {
            bucket: pending.bucket,
            key: pending.key,
            hash: sha256Hex(body),
            signature: pending.signature,
          },
        };
    const record = entry.record;
    record.status = {
      ...record.status,
      latestDigestDeliveryTime: this.deps.now(),
      latestDigestAttemptTime: this.deps.now(),
      latestDigestDeliveryError: undefined,
    };
    this.deps.store.commitDigest(config.id, region, next, pending.fileKeys, record.status);
  }

  private recordFailure(entry: TrailEntry, err: unknown): void {
    const record = entry.record;
    const code = deliveryErrorCode(err);
    record.status = {
      ...record.status,
      latestDigestDeliveryError: code,
      latestDigestAttemptTime: this.deps.now(),
    };
    this.deps.store.saveStatus(record.config.id, record.status);
    this.deps.logger.warn("digest delivery failed; retrying", {
      trail: record.config.arn,
      error: code,
      message: err instanceof Error ? err.message : String(err),
    });
  }
}
