import type { Migration, MigrationProvider } from "kysely";
import * as accountsAndKeys from "./001-accounts-and-keys.js";

/** One migration set for both dialects, applied in name order. */
const MIGRATIONS: Record<string, Migration> = {
  "001-accounts-and-keys": accountsAndKeys,
};

export const migrationProvider: MigrationProvider = {
  async getMigrations() {
    return MIGRATIONS;
  },
};
