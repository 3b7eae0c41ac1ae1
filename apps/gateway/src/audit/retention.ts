import type { AuditStore } from "@bentoo/core";
import type { Logger } from "pino";

const HOUR = 3600 * 1000;

/** Purges audit records older than the retention period, now and then every hour, in the background. */
export function startRetention(store: Pick<AuditStore, "purgeOlderThan">, retentionDays: number, logger: Logger, now: () => number = Date.now): () => void {
  let running = false;
  const purge = async () => {
    if (running) return;
    running = true;
    try {
      const deleted = await store.purgeOlderThan(now() - retentionDays * 24 * HOUR);
      if (deleted > 0) logger.info({ deleted, retentionDays }, "purged old audit records");
    } catch (error) {
      logger.error({ err: error }, "audit retention purge failed");
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void purge(), 10_000);
  const timer = setInterval(() => void purge(), HOUR);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
