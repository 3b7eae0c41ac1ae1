import { type Kysely, PostgresAdapter, sql } from "kysely";
import type { Database } from "../schema.js";

const HOUR_MS = 3_600_000;

/**
 * Plans the one-time backfill: the hours of the request records already in
 * the audit log, [first hour, hour after the last), go into usage_backfill for
 * backfillUsageRollups to count. Records written from now on are rolled up by
 * writeRecordBatch; those it writes into a planned hour before the backfill
 * reaches it are recounted with the rest of that hour, never counted twice.
 * Nothing is planned for an empty log, or while a plan is pending.
 */
export async function planUsageBackfill(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ first: number | string | null; last: number | string | null }>`
    select min(${sql.ref("timestamp")}) as ${sql.ref("first")}, max(${sql.ref("timestamp")}) as ${sql.ref("last")}
    from ${sql.table("audit_log")} where ${sql.ref("type")} = 'request' and ${sql.ref("account_id")} is not null`.execute(db);
  const first = rows[0]?.first ?? null;
  const last = rows[0]?.last ?? null;
  if (first === null || last === null) return;
  const next = Number(first) - (Number(first) % HOUR_MS);
  const end = Number(last) - (Number(last) % HOUR_MS) + HOUR_MS;
  await sql`insert into ${sql.table("usage_backfill")} (${sql.ref("id")}, ${sql.ref("next_hour")}, ${sql.ref("end_hour")})
    values (1, ${next}, ${end}) on conflict (${sql.ref("id")}) do nothing`.execute(db);
}

export interface UsageBackfillOptions {
  /** Hours counted per transaction (default 24): each step holds the write lock this long. */
  stepHours?: number;
  /** Called inside each step's transaction, after its hours are counted: a throw rolls the step back (tests interrupt with it). */
  onStep?: (progress: { from: number; to: number; endHour: number }) => void | Promise<void>;
}

/**
 * Counts the planned hours of the audit log into usage_rollup, oldest first,
 * one transaction per step: the step replaces the rollups of its hours by a
 * recount of the stored records and moves `next_hour` on, so an interrupted
 * backfill (a crash, a stop) resumes at the first hour not committed, and a
 * step run twice (two instances starting together) gives the same rows. On
 * PostgreSQL the step locks usage_rollup against writers first, so a batch
 * committing meanwhile is either in the recount or added after it; SQLite's
 * transactions already run one at a time. Resolves with the steps it ran.
 */
export async function backfillUsageRollups(db: Kysely<Database>, options: UsageBackfillOptions = {}): Promise<number> {
  const stepMs = (options.stepHours ?? 24) * HOUR_MS;
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  let steps = 0;
  for (;;) {
    const done = await db.transaction().execute(async (trx) => {
      if (postgres) await sql`lock table ${sql.table("usage_rollup")} in exclusive mode`.execute(trx);
      const plan = await trx.selectFrom("usage_backfill").select(["next_hour", "end_hour"]).where("id", "=", 1).executeTakeFirst();
      if (plan === undefined) return true;
      const from = Number(plan.next_hour);
      const endHour = Number(plan.end_hour);
      if (from >= endHour) {
        await trx.deleteFrom("usage_backfill").where("id", "=", 1).execute();
        return true;
      }
      const to = Math.min(from + stepMs, endHour);
      await trx.deleteFrom("usage_rollup").where("hour_start", ">=", from).where("hour_start", "<", to).execute();
      await recountInto(trx, from, to);
      await trx.updateTable("usage_backfill").set({ next_hour: to }).where("id", "=", 1).execute();
      await options.onStep?.({ from, to, endHour });
      return false;
    });
    if (done) return steps;
    steps += 1;
  }
}

/** The rollups of [from, to) recounted from the stored request records, the way writeRecordBatch adds them. */
async function recountInto(trx: Kysely<Database>, from: number, to: number): Promise<void> {
  const hour = sql`${sql.ref("timestamp")} - (${sql.ref("timestamp")} % ${sql.lit(HOUR_MS)})`;
  const sum = (column: string) => sql`coalesce(sum(${sql.ref(column)}), 0)`;
  await sql`insert into ${sql.table("usage_rollup")} (account_id, api_key_id, model, hour_start, requests, errors, prompt_tokens,
      completion_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, cost_micros)
    select ${sql.ref("account_id")}, coalesce(${sql.ref("api_key_id")}, ''), coalesce(${sql.ref("model")}, ''), ${hour}, count(*),
      coalesce(sum(case when ${sql.ref("status")} >= 400 then 1 else 0 end), 0), ${sum("prompt_tokens")}, ${sum("completion_tokens")},
      ${sum("cache_read_tokens")}, ${sum("cache_write_tokens")}, ${sum("reasoning_tokens")}, ${sum("cost_micros")}
    from ${sql.table("audit_log")}
    where ${sql.ref("type")} = 'request' and ${sql.ref("account_id")} is not null
      and ${sql.ref("timestamp")} >= ${from} and ${sql.ref("timestamp")} < ${to}
    group by ${sql.ref("account_id")}, coalesce(${sql.ref("api_key_id")}, ''), coalesce(${sql.ref("model")}, ''), ${hour}`.execute(trx);
}
