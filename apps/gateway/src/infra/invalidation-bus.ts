import type { KeyCache, KeyInvalidation } from "@bentoo/core";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { LogThrottle } from "./log-throttle.js";

/** A heartbeat (PING on the subscriber connection) goes out this often. */
export const HEARTBEAT_INTERVAL_MS = 20;
/**
 * The channel counts as live while the newest answered heartbeat was sent less
 * than this long ago; past it, keys are looked up in the store (docs/decisions.md,
 * "Revocation while Redis stalls").
 */
export const HEARTBEAT_BOUND_MS = 75;
/** Heartbeats left unanswered before no more are sent: a stalled Redis would otherwise collect one per interval. */
const MAX_UNANSWERED = 8;
/** A lapse this long is logged; shorter ones (event-loop lag, a slow moment) only show in the store look-up metric. */
const OUTAGE_LOG_MS = 1000;
/** Invalidations that could not be published, kept to be sent again; past this many one "clear everything" replaces them. */
const MAX_UNSENT = 10_000;

type Message = { kind: "key"; hash: string } | { kind: "account"; accountId: string } | { kind: "all" };

const CLEAR_ALL = JSON.stringify({ kind: "all" } satisfies Message);

/**
 * Propagates key-cache invalidations to every instance over Redis pub/sub.
 * The local cache is cleared first (the next request on this instance already
 * sees the change); other instances drop the entry when the message arrives.
 *
 * Fail closed: the cache is trusted only while the subscription is known to be
 * live, which a heartbeat shows. Every HEARTBEAT_INTERVAL_MS a PING goes out on
 * the subscriber connection; Redis answers it on that connection after every
 * message it published before, so an answered PING sent at time s means every
 * invalidation Redis had published by s has been applied here. `healthy` is one
 * comparison: the newest such s is less than HEARTBEAT_BOUND_MS old. Otherwise
 * (disconnected, Redis stalled, this process too busy to read its socket) the
 * verifier asks the store. When the connection itself comes back, the whole
 * cache is cleared, because messages sent in between were lost.
 *
 * Publishing is bounded by the publisher's command timeout, so a management
 * call never waits on a stalled Redis: the change is already in the store, and
 * the other instances stop trusting their caches within HEARTBEAT_BOUND_MS of
 * the stall. A message that could not be published is sent again as soon as
 * the publisher can reach Redis.
 */
export class RedisInvalidationBus implements KeyInvalidation {
  /** Send time (performance.now()) of the newest heartbeat answered in order; -Infinity while disconnected. */
  private confirmedAt = Number.NEGATIVE_INFINITY;
  /** Set by the first answer that finds the channel lapsed: only heartbeats sent from then on count. */
  private recoverFrom: number | undefined;
  /** Bumped when the subscriber connection closes: answers to heartbeats of an older connection count for nothing. */
  private connection = 0;
  /** The connection on which the channel is subscribed (heartbeats on another prove nothing). */
  private subscribedOn: number | undefined;
  private subscribing = false;
  private unanswered = 0;
  /** True until the first subscription, so that it is logged as the channel going live. */
  private outageLogged = true;
  private closed = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly unsent = new Set<string>();
  /** Set when a publish fails, cleared when one succeeds: meanwhile management calls do not wait for Redis' answer again. */
  private publisherFailing = false;
  private resending = false;
  private readonly channel: string;

  constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    private readonly cache: KeyCache,
    prefix: string,
    private readonly logger: Logger,
    private readonly outageLog: LogThrottle = new LogThrottle(),
  ) {
    this.channel = `${prefix}invalidate`;
  }

  /** Read on every authenticated request: one clock read and one comparison. */
  get healthy(): boolean {
    return performance.now() - this.confirmedAt < HEARTBEAT_BOUND_MS;
  }

  /** The subscriber's Redis connection name (operators and tests find it in CLIENT LIST). */
  get connectionName(): string {
    return this.subscriber.options.connectionName ?? "";
  }

  /** Whether the publisher connection is up (diagnostics and tests). */
  get publisherConnected(): boolean {
    return this.publisher.status === "ready";
  }

  async start(): Promise<void> {
    this.subscriber.on("message", (channel: string, payload: string) => {
      if (channel === this.channel) this.apply(payload);
    });
    this.subscriber.on("close", () => this.disconnected());
    this.subscriber.on("ready", () => void this.resubscribe());
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    await this.resubscribe();
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_INTERVAL_MS);
    this.heartbeat.unref();
  }

  keyChanged(_keyId: string, hash: string): Promise<void> {
    this.cache.delete(hash);
    return this.publish({ kind: "key", hash });
  }

  accountChanged(accountId: string): Promise<void> {
    this.cache.deleteAccount(accountId);
    return this.publish({ kind: "account", accountId });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.heartbeat);
    this.confirmedAt = Number.NEGATIVE_INFINITY;
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  /**
   * Sends the message at once. The caller waits for Redis' answer (at most the
   * publisher's command timeout) unless publishing is already failing: then it
   * does not wait again. A message a stalled Redis has received is published
   * when Redis resumes; one that failed is kept and sent again.
   */
  private async publish(message: Message): Promise<void> {
    const payload = JSON.stringify(message);
    const sent = this.send(payload);
    if (!this.publisherFailing) await sent;
  }

  private send(payload: string): Promise<void> {
    return this.publisher.publish(this.channel, payload).then(
      () => {
        this.publisherFailing = false;
      },
      (error: unknown) => {
        this.publisherFailing = true;
        this.keepUnsent(payload);
        this.outageLog.warn(
          this.logger,
          "invalidation_publish_failed",
          { err: error },
          "could not publish a key-cache invalidation: other instances look keys up in the store while Redis is unreachable for them too; the message is sent again when Redis answers",
        );
      },
    );
  }

  private keepUnsent(payload: string): void {
    if (this.unsent.has(CLEAR_ALL)) return;
    if (this.unsent.size >= MAX_UNSENT) {
      this.unsent.clear();
      this.unsent.add(CLEAR_ALL);
    } else this.unsent.add(payload);
  }

  /** Sends the kept messages again, one batch at a time, while the publisher is connected. */
  private async resend(): Promise<void> {
    if (this.resending || this.unsent.size === 0 || this.publisher.status !== "ready") return;
    this.resending = true;
    const payloads = [...this.unsent];
    this.unsent.clear();
    await Promise.all(payloads.map((payload) => this.send(payload)));
    this.resending = false;
  }

  private apply(payload: string): void {
    let message: Message;
    try {
      message = JSON.parse(payload) as Message;
    } catch {
      return;
    }
    if (message.kind === "key") this.cache.delete(message.hash);
    else if (message.kind === "account") this.cache.deleteAccount(message.accountId);
    else this.cache.clear();
  }

  private async resubscribe(): Promise<void> {
    if (this.subscribing) return;
    this.subscribing = true;
    const connection = this.connection;
    const sentAt = performance.now();
    try {
      await this.subscriber.subscribe(this.channel);
    } catch (error) {
      this.reportDown(error instanceof Error ? error.message : "subscribe failed");
      return;
    } finally {
      this.subscribing = false;
    }
    if (connection !== this.connection || this.closed) return;
    this.subscribedOn = connection;
    this.cache.clear();
    this.recoverFrom = undefined;
    this.confirmedAt = Math.max(this.confirmedAt, sentAt);
    this.reportLive();
  }

  private beat(): void {
    const now = performance.now();
    if (!this.outageLogged && now - this.confirmedAt >= OUTAGE_LOG_MS) this.reportDown("heartbeat unanswered");
    void this.resend();
    if (this.subscriber.status !== "ready") return;
    const connection = this.connection;
    if (this.subscribedOn !== connection) return void this.resubscribe();
    if (this.unanswered >= MAX_UNANSWERED) return;
    this.unanswered += 1;
    const settled = () => {
      if (connection === this.connection) this.unanswered -= 1;
    };
    this.subscriber.ping().then(() => {
      settled();
      if (connection === this.connection) this.answered(now, performance.now());
    }, settled);
  }

  /**
   * A heartbeat sent at `sentAt` was answered at `at`. When the channel had
   * lapsed (Redis stalled), heartbeats sent during the lapse may have been
   * answered before messages other instances published during it: Redis picks
   * up the waiting connections in no set order. Only a heartbeat sent after the
   * first answer, once Redis is working through its backlog again, shows that
   * the messages of the lapse have arrived.
   */
  private answered(sentAt: number, at: number): void {
    if (at - this.confirmedAt >= HEARTBEAT_BOUND_MS) {
      this.recoverFrom ??= at;
      if (sentAt < this.recoverFrom) return;
    }
    this.recoverFrom = undefined;
    if (sentAt > this.confirmedAt) this.confirmedAt = sentAt;
    this.reportLive();
  }

  private disconnected(): void {
    this.connection += 1;
    this.unanswered = 0;
    this.recoverFrom = undefined;
    this.confirmedAt = Number.NEGATIVE_INFINITY;
    if (!this.closed) this.reportDown("connection closed");
  }

  private reportDown(reason: string): void {
    if (this.outageLogged) return;
    this.outageLogged = true;
    this.logger.warn({ reason }, "key-cache invalidation channel is down: serving keys from the store until it is back");
  }

  private reportLive(): void {
    if (!this.outageLogged) return;
    this.outageLogged = false;
    this.logger.info("key-cache invalidation channel is live");
  }
}
