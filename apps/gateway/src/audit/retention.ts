import type { AuditStore } from "@bentoo/core";
import type { Logger } from "pino";

const HOUR = 3600 * 1000;
const DAY = 24 * HOUR;

/** How long each kind of row is kept, in days: the raw audit log, and the usage rollups that outlive it. */
export interface RetentionDays {
  audit: number;
  usage: number;
}

/** Purges audit records and usage rollups older than their retention periods, now and then every hour, in the background. */
export function startRetention(
  store: Pick<AuditStore, "purgeOlderThan" | "purgeUsageOlderThan">,
  retentionDays: RetentionDays,
  logger: Logger,
  now: () => number = Date.now,
): () => void {
  let running = false;
  const purge = async () => {
    if (running) return;
    running = true;
    try {
      const deleted = await store.purgeOlderThan(now() - retentionDays.audit * DAY);
      if (deleted > 0) logger.info({ deleted, retentionDays: retentionDays.audit }, "purged old audit records");
      const rollups = await store.purgeUsageOlderThan(now() - retentionDays.usage * DAY);
      if (rollups > 0) logger.info({ deleted: rollups, retentionDays: retentionDays.usage }, "purged old usage rollups");
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
