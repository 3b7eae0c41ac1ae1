import type { AuditRecord } from "@bentoo/core";
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";
import { KyselyAuditStore } from "./audit-store.js";

/** Writes management events through a given connection or transaction, so they commit with the change they describe. */
export type EventWriter = (db: Kysely<Database>, events: readonly AuditRecord[]) => Promise<void>;

export function eventWriter(dialect: "sqlite" | "postgres"): EventWriter {
  return async (db, events) => {
    if (events.length > 0) await new KyselyAuditStore(db, dialect).insertMany(events);
  };
}
