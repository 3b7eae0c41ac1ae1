import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dropPostgresSchema, type KyselyStorage, openStorage } from "@bentoo/storage";
import { testPostgresUrl } from "./services.js";

/** A database a suite runs against: a fresh SQLite file, or a fresh PostgreSQL schema. */
export interface StorageTarget {
  name: "sqlite" | "postgres";
  /** A fresh, migrated, isolated storage; call `dispose` when done. */
  open(options?: { now?: () => number }): Promise<OpenedStorage>;
}

export interface OpenedStorage {
  storage: KyselyStorage;
  /** The URL and schema to open the same database again (a second instance). */
  url: string;
  schema: string | undefined;
  dispose(): Promise<void>;
}

export const sqliteTarget: StorageTarget = {
  name: "sqlite",
  async open(options = {}) {
    const directory = mkdtempSync(join(tmpdir(), "bentoo-test-"));
    const url = `sqlite:${join(directory, "bentoo.db")}`;
    const storage = await openStorage(url, options);
    return {
      storage,
      url,
      schema: undefined,
      async dispose() {
        await storage.close();
        rmSync(directory, { recursive: true, force: true });
      },
    };
  },
};

function postgresTarget(url: string): StorageTarget {
  return {
    name: "postgres",
    async open(options = {}) {
      const schema = `t_${randomBytes(6).toString("hex")}`;
      const storage = await openStorage(url, { ...options, schema });
      return {
        storage,
        url,
        schema,
        async dispose() {
          await storage.close();
          await dropPostgresSchema(url, schema);
        },
      };
    },
  };
}

/** SQLite always; PostgreSQL when the run has one (see services.ts). */
export function storageTargets(): StorageTarget[] {
  const url = testPostgresUrl();
  return url === undefined ? [sqliteTarget] : [sqliteTarget, postgresTarget(url)];
}
