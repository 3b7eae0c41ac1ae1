import { type Kysely, PostgresAdapter, sql } from "kysely";
import type { Database } from "../schema.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * Plans the one-time backfill: the UTC days of the request records already in
 * the audit log, [first day, day after the last), go into usage_backfill for
 * backfillUsageRollups to count. Records written from now on are rolled up by
 * writeRecordBatch; those it writes into a planned day before the backfill
 * reaches it are recounted with the rest of that day, never counted twice.
 * Nothing is planned for an empty log, or while a plan is pending.
 */
export async function planUsageBackfill(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ first: number | string | null; last: number | string | null }>`
    select min(${sql.ref("timestamp")}) as ${sql.ref("first")}, max(${sql.ref("timestamp")}) as ${sql.ref("last")}
    from ${sql.table("audit_log")} where ${sql.ref("type")} = 'request' and ${sql.ref("account_id")} is not null`.execute(db);
  const first = rows[0]?.first ?? null;
  const last = rows[0]?.last ?? null;
  if (first === null || last === null) return;
  const next = Number(first) - (Number(first) % DAY_MS);
  const end = Number(last) - (Number(last) % DAY_MS) + DAY_MS;
  await sql`insert into ${sql.table("usage_backfill")} (${sql.ref("id")}, ${sql.ref("next_day")}, ${sql.ref("end_day")})
    values (1, ${next}, ${end}) on conflict (${sql.ref("id")}) do nothing`.execute(db);
}

export interface UsageBackfillOptions {
  /** UTC days counted per transaction (default 1): each step holds the write lock this long. */
  stepDays?: number;
  /** Called inside each step's transaction, after its days are counted: a throw rolls the step back (tests interrupt with it). */
  onStep?: (progress: { from: number; to: number; endDay: number }) => void | Promise<void>;
}

/**
 * Counts the planned days of the audit log into the rollups, oldest first,
 * one transaction per step: the step replaces the hourly rows of its days by a
 * recount of the stored records, the daily rows by the sums of those hours, and
 * moves `next_day` on. So an interrupted backfill (a crash, a stop) resumes at
 * the first day not committed, and a step run twice (two instances starting
 * together) gives the same rows. On PostgreSQL the step first locks the rollup
 * tables against writers, so a batch committing meanwhile is either in the
 * recount or added after it; SQLite's transactions already run one at a time.
 * Resolves with the steps it ran.
 */
export async function backfillUsageRollups(db: Kysely<Database>, options: UsageBackfillOptions = {}): Promise<number> {
  const stepMs = (options.stepDays ?? 1) * DAY_MS;
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  let steps = 0;
  // Nothing planned (every start after the first): no transaction, no lock.
  if ((await db.selectFrom("usage_backfill").select("id").executeTakeFirst()) === undefined) return steps;
  for (;;) {
    const done = await db.transaction().execute(async (trx) => {
      if (postgres) await sql`lock table ${sql.table("usage_hourly")}, ${sql.table("usage_daily")} in exclusive mode`.execute(trx);
      const plan = await trx.selectFrom("usage_backfill").select(["next_day", "end_day"]).where("id", "=", 1).executeTakeFirst();
      if (plan === undefined) return true;
      const from = Number(plan.next_day);
      const endDay = Number(plan.end_day);
      if (from >= endDay) {
        await trx.deleteFrom("usage_backfill").where("id", "=", 1).execute();
        return true;
      }
      const to = Math.min(from + stepMs, endDay);
      await recount(trx, from, to);
      await trx.updateTable("usage_backfill").set({ next_day: to }).where("id", "=", 1).execute();
      await options.onStep?.({ from, to, endDay });
      return false;
    });
    if (done) return steps;
    steps += 1;
  }
}

const COUNTERS = ["requests", "errors", "prompt_tokens", "completion_tokens", "cache_read_tokens", "cache_write_tokens", "reasoning_tokens", "cost_micros"];

/** The rollups of the whole days [from, to) recounted from the stored request records, the way writeRecordBatch adds them. */
async function recount(trx: Kysely<Database>, from: number, to: number): Promise<void> {
  for (const table of ["usage_hourly", "usage_daily"] as const) {
    await trx.deleteFrom(table).where("bucket_start", ">=", from).where("bucket_start", "<", to).execute();
  }
  const columns = sql.join(["account_id", "api_key_id", "model", "bucket_start", ...COUNTERS].map((column) => sql.ref(column)));
  const hour = sql`${sql.ref("timestamp")} - (${sql.ref("timestamp")} % ${sql.lit(HOUR_MS)})`;
  const total = (column: string) => sql`coalesce(sum(${sql.ref(column)}), 0)`;
  await sql`insert into ${sql.table("usage_hourly")} (${columns})
    select ${sql.ref("account_id")}, coalesce(${sql.ref("api_key_id")}, ''), coalesce(${sql.ref("model")}, ''), ${hour}, count(*),
      coalesce(sum(case when ${sql.ref("status")} >= 400 then 1 else 0 end), 0), ${total("prompt_tokens")}, ${total("completion_tokens")},
      ${total("cache_read_tokens")}, ${total("cache_write_tokens")}, ${total("reasoning_tokens")}, ${total("cost_micros")}
    from ${sql.table("audit_log")}
    where ${sql.ref("type")} = 'request' and ${sql.ref("account_id")} is not null
      and ${sql.ref("timestamp")} >= ${from} and ${sql.ref("timestamp")} < ${to}
    group by ${sql.ref("account_id")}, coalesce(${sql.ref("api_key_id")}, ''), coalesce(${sql.ref("model")}, ''), ${hour}`.execute(trx);
  const day = sql`${sql.ref("bucket_start")} - (${sql.ref("bucket_start")} % ${sql.lit(DAY_MS)})`;
  await sql`insert into ${sql.table("usage_daily")} (${columns})
    select ${sql.ref("account_id")}, ${sql.ref("api_key_id")}, ${sql.ref("model")}, ${day}, ${sql.join(COUNTERS.map((column) => sql`sum(${sql.ref(column)})`))}
    from ${sql.table("usage_hourly")}
    where ${sql.ref("bucket_start")} >= ${from} and ${sql.ref("bucket_start")} < ${to}
    group by ${sql.ref("account_id")}, ${sql.ref("api_key_id")}, ${sql.ref("model")}, ${day}`.execute(trx);
}
