import type { Storage } from "@bentoo/core";
import { Kysely, Migrator, sql } from "kysely";
import { migrationProvider } from "./migrations/index.js";
import * as postgres from "./postgres/dialect.js";
import { writeRecordBatch } from "./records/write-record-batch.js";
import { KyselyAccountStore } from "./repositories/account-store.js";
import { KyselyAuditStore } from "./repositories/audit-store.js";
import { type BatchWriter, eventWriter } from "./repositories/event-writer.js";
import { KyselyKeyStore } from "./repositories/key-store.js";
import { KyselyLedgerStore } from "./repositories/ledger-store.js";
import { KyselyResponseStore } from "./repositories/response-store.js";
import { KyselySessionStore } from "./repositories/session-store.js";
import { KyselyUsageReader } from "./repositories/usage-reader.js";
import { KyselyWebhookStore } from "./repositories/webhook-store.js";
import { backfillUsageRollups } from "./rollups/backfill-usage.js";
import type { Database } from "./schema.js";
import * as sqlite from "./sqlite/dialect.js";
import { SqliteWriterThread } from "./sqlite/writer-thread.js";

export interface OpenStorageOptions {
  /** PostgreSQL only: use (and create) this schema, e.g. to isolate a test. */
  schema?: string;
  maxConnections?: number;
  /**
   * SQLite only: write record batches (`records.write`) on a writer thread with
   * its own connection (default true for a database file; an in-memory
   * database always writes on the main thread).
   */
  writerThread?: boolean;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  now?: () => number;
}

export interface KyselyStorage extends Storage {
  readonly db: Kysely<Database>;
}

export function dialectOf(url: string): "sqlite" | "postgres" {
  if (url.startsWith("sqlite:")) return "sqlite";
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return "postgres";
  throw new Error(`BENTOO_DATABASE_URL must start with sqlite: or postgres:// (got "${url.split(":")[0]}:…")`);
}

/** Opens the database named by `url`, migrates it, and returns the stores. */
export async function openStorage(url: string, options: OpenStorageOptions = {}): Promise<KyselyStorage> {
  const dialectName = dialectOf(url);
  if (options.schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(options.schema)) throw new Error(`invalid schema name "${options.schema}"`);
  if (dialectName === "postgres" && options.schema !== undefined) {
    const bootstrap = new Kysely<unknown>({ dialect: postgres.createDialect(url, { maxConnections: 1 }).dialect });
    await sql`create schema if not exists ${sql.id(options.schema)}`.execute(bootstrap);
    await bootstrap.destroy();
  }
  const embedded = dialectName === "sqlite" ? sqlite.createDialect(url) : null;
  const { dialect, inserts } = embedded ?? postgres.createDialect(url, { schema: options.schema, maxConnections: options.maxConnections });
  const db = new Kysely<Database>({ dialect });
  if (options.migrate ?? true) {
    // Migrations are numbered when their work starts and can land out of order: a database
    // that already ran 009 still gets 006, 007 and 008 when they arrive. Each migration touches only its own tables and columns.
    const migrator = new Migrator({
      db,
      provider: migrationProvider,
      allowUnorderedMigrations: true,
      ...(options.schema === undefined ? {} : { migrationTableSchema: options.schema }),
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error !== undefined) {
      await db.destroy();
      const failed = results?.find((result) => result.status === "Error")?.migrationName ?? "unknown";
      throw new Error(`database migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      // Migration 006's backfill, resumed wherever it stopped; a no-op once done.
      await backfillUsageRollups(db);
    } catch (error) {
      await db.destroy();
      throw new Error(`the usage rollup backfill failed (it resumes at the next start): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const now = options.now ?? Date.now;
  const writeBatch: BatchWriter = (executor, batch) => writeRecordBatch(executor, inserts, batch, now());
  const writeEvents = eventWriter(writeBatch);
  let writerThread: SqliteWriterThread | null = null;
  if (embedded !== null && embedded.path !== ":memory:" && (options.writerThread ?? true)) {
    try {
      writerThread = await SqliteWriterThread.start(embedded.path);
    } catch (error) {
      await db.destroy();
      throw error;
    }
  }
  return {
    dialect: dialectName,
    db,
    accounts: new KyselyAccountStore(db, now, writeEvents),
    keys: new KyselyKeyStore(db, now, writeEvents),
    sessions: new KyselySessionStore(db),
    records: {
      write: (batch) => (writerThread?.available ? writerThread.write(batch, now()) : writeBatch(db, batch)),
    },
    ledger: new KyselyLedgerStore(db),
    audit: new KyselyAuditStore(db, new KyselyUsageReader(db)),
    responses: new KyselyResponseStore(db, writerThread),
    webhooks: new KyselyWebhookStore(db, dialectName, now, writeEvents),
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await writerThread?.close();
      await db.destroy();
    },
  };
}

/** Drops a PostgreSQL schema and everything in it (test clean-up). */
export async function dropPostgresSchema(url: string, schema: string): Promise<void> {
  const db = new Kysely<unknown>({ dialect: postgres.createDialect(url, { maxConnections: 1 }).dialect });
  try {
    await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  } finally {
    await db.destroy();
  }
}
