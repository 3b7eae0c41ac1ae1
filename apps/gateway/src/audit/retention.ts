import type { AuditStore } from "@bentoo/core";
import type { Logger } from "pino";

const HOUR = 3600 * 1000;

/**
 * Purges what is older than the retention period (audit records; stored
 * responses too, named by `what`), 10 s after start and then every hour, in the
 * background.
 */
export function startRetention(
  store: Pick<AuditStore, "purgeOlderThan">,
  retentionDays: number,
  logger: Logger,
  now: () => number = Date.now,
  what = "audit records",
): () => void {
  let running = false;
  const purge = async () => {
    if (running) return;
    running = true;
    try {
      const deleted = await store.purgeOlderThan(now() - retentionDays * 24 * HOUR);
      if (deleted > 0) logger.info({ deleted, retentionDays }, `purged old ${what}`);
    } catch (error) {
      logger.error({ err: error }, `retention purge of ${what} failed`);
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
