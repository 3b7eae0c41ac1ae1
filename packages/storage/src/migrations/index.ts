import type { Migration, MigrationProvider } from "kysely";
import * as accountsAndKeys from "./001-accounts-and-keys.js";
import * as auditLog from "./002-audit-log.js";
import * as sessions from "./003-sessions.js";
import * as creditLedger from "./004-credit-ledger.js";
import * as auditTokenClasses from "./005-audit-token-classes.js";
import * as webhooks from "./009-webhooks.js";

/** One migration set for both dialects, applied in name order. */
const MIGRATIONS: Record<string, Migration> = {
  "001-accounts-and-keys": accountsAndKeys,
  "002-audit-log": auditLog,
  "003-sessions": sessions,
  "004-credit-ledger": creditLedger,
  "005-audit-token-classes": auditTokenClasses,
  "009-webhooks": webhooks,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
