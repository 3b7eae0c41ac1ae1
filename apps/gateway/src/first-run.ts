import { KEY_SCOPES } from "@bentoo/core";
import type { Services } from "./services.js";

export const DEMO_EMAIL = "demo@bentoo.local";

export interface DemoSeed {
  accountId: string;
  /** The demo account's test key: shown once, on the run that created it. */
  testKey: string;
}

/**
 * On an empty database, creates the demo account with one test-mode key so a
 * new user can call the API at once (offline, through the sandbox). Returns
 * null on every later start: the key is never shown again.
 */
export async function seedDemoAccount(services: Services): Promise<DemoSeed | null> {
  if ((await services.storage.accounts.count()) > 0) return null;
  const account = await services.accounts.create({ email: DEMO_EMAIL, passwordHash: null });
  // The demo key can do everything, the Audit API included: it is there to try Bentoo out.
  const issued = await services.keys.create(account, { name: "demo test key", mode: "test", controls: { scopes: KEY_SCOPES } });
  return { accountId: account.id, testKey: issued.secret };
}
