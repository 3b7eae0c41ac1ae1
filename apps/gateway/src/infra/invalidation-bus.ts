import type { KeyCache, KeyInvalidation } from "@bentoo/core";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { LogThrottle } from "./log-throttle.js";

const HEARTBEAT_MS = 1000;
const HEARTBEAT_TIMEOUT_MS = 1500;

type Message = { kind: "key"; hash: string } | { kind: "account"; accountId: string } | { kind: "all" };

/**
 * Propagates key-cache invalidations to every instance over Redis pub/sub.
 * The local cache is cleared first (the next request on this instance already
 * sees the change); other instances drop the entry when the message arrives.
 *
 * Fail closed: while the subscription is not known to be live (disconnected, or
 * a heartbeat went unanswered), `healthy` is false and the verifier bypasses the
 * cache. When the subscription comes back, the whole cache is cleared, because
 * messages sent in between were missed.
 */
export class RedisInvalidationBus implements KeyInvalidation {
  private live = false;
  private heartbeat: NodeJS.Timeout | undefined;
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

  get healthy(): boolean {
    return this.live;
  }

  /** The subscriber's Redis connection name (operators and tests find it in CLIENT LIST). */
  get connectionName(): string {
    return this.subscriber.options.connectionName ?? "";
  }

  async start(): Promise<void> {
    this.subscriber.on("message", (channel: string, payload: string) => {
      if (channel === this.channel) this.apply(payload);
    });
    this.subscriber.on("close", () => this.markDown("connection closed"));
    this.subscriber.on("ready", () => void this.resubscribe());
    await Promise.all([this.publisher.connect(), this.subscriber.connect()]);
    await this.resubscribe();
    this.heartbeat = setInterval(() => void this.checkHeartbeat(), HEARTBEAT_MS);
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
    clearInterval(this.heartbeat);
    this.live = false;
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  private async publish(message: Message): Promise<void> {
    try {
      await this.publisher.publish(this.channel, JSON.stringify(message));
    } catch (error) {
      // Other instances are in fail-closed mode while Redis is unreachable for them too.
      this.outageLog.warn(this.logger, "invalidation_publish_failed", { err: error }, "could not publish a key-cache invalidation");
    }
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
    try {
      await this.subscriber.subscribe(this.channel);
      this.cache.clear();
      if (!this.live) this.logger.info("key-cache invalidation channel is live");
      this.live = true;
    } catch (error) {
      this.markDown(error instanceof Error ? error.message : "subscribe failed");
    }
  }

  private async checkHeartbeat(): Promise<void> {
    if (this.subscriber.status !== "ready") return this.markDown(`subscriber ${this.subscriber.status}`);
    const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), HEARTBEAT_TIMEOUT_MS).unref());
    const answer = await Promise.race([
      this.subscriber.ping().then(
        () => "pong" as const,
        () => "timeout" as const,
      ),
      timeout,
    ]);
    if (answer === "timeout") this.markDown("heartbeat unanswered");
    else if (!this.live) await this.resubscribe();
  }

  private markDown(reason: string): void {
    if (this.live) this.logger.warn({ reason }, "key-cache invalidation channel is down: serving keys from the store until it is back");
    this.live = false;
  }
}
