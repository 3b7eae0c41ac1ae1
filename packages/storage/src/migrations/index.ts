import type { Migration, MigrationProvider } from "kysely";
import * as accountsAndKeys from "./001-accounts-and-keys.js";
import * as auditLog from "./002-audit-log.js";
import * as sessions from "./003-sessions.js";
import * as creditLedger from "./004-credit-ledger.js";
import * as auditTokenClasses from "./005-audit-token-classes.js";
import * as usageRollups from "./006-usage-rollups.js";
import * as responses from "./007-responses.js";
import * as keyControls from "./008-key-controls.js";
import * as webhooks from "./009-webhooks.js";

/**
 * One migration set for both dialects, applied in name order; one that arrives
 * after a later-numbered one was applied (008 after 009) is applied then
 * (allowUnorderedMigrations, docs/decisions.md).
 */
const MIGRATIONS: Record<string, Migration> = {
  "001-accounts-and-keys": accountsAndKeys,
  "002-audit-log": auditLog,
  "003-sessions": sessions,
  "004-credit-ledger": creditLedger,
  "005-audit-token-classes": auditTokenClasses,
  "006-usage-rollups": usageRollups,
  "007-responses": responses,
  "008-key-controls": keyControls,
  "009-webhooks": webhooks,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
