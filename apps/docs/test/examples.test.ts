import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminCall, GATEWAY_MAIN, type Gateway, startGateway, stopGateway } from "../../../e2e/support/sdk-e2e.js";
import { checkExample, exampleEnvironment, REPOSITORY_ROOT } from "./support/run-example.js";
import { exampleName, RUNNABLE_LANGUAGES, readRunnableExamples } from "./support/runnable-examples.js";

/**
 * Every runnable example of the docs pages (```` ```bash runnable ````,
 * ```` ```js runnable ````, ```` ```python runnable ````) runs against one built
 * server (`node apps/gateway/dist/main.js`, the way `npm start` runs it) with a
 * fresh SQLite file and a test key, which the sandbox answers offline. An example
 * that exits non-zero, or hangs, fails its own test case with its code and output.
 */

const PAGES = fileURLToPath(new URL("../pages/", import.meta.url));
const SDK_DIST = join(REPOSITORY_ROOT, "packages", "sdk-js", "dist", "esm", "index.js");
const ADMIN_TOKEN = "docs-examples-admin-token-0123456789";
/** One example's longest run; the slowest (LangChain's imports) take a few seconds on a busy machine. */
const EXAMPLE_TIMEOUT_MS = 45_000;

// Read at collection time: a page with a runnable fence in an unknown language fails the whole file, loudly.
const examples = readRunnableExamples(PAGES);

let directory: string;
let gateway: Gateway;
let apiKey: string;

beforeAll(async () => {
  expect(existsSync(GATEWAY_MAIN), `${GATEWAY_MAIN} is missing: run npm run build`).toBe(true);
  expect(existsSync(SDK_DIST), `${SDK_DIST} is missing: run npm run build`).toBe(true);
  // Inside the repository (node_modules is gitignored), so that the examples' imports resolve from its node_modules.
  const parent = join(REPOSITORY_ROOT, "node_modules", ".cache", "bentoo-docs-examples");
  mkdirSync(parent, { recursive: true });
  directory = mkdtempSync(join(parent, "run-"));
  gateway = await startGateway({
    BENTOO_DATABASE_URL: `sqlite:${join(directory, "bentoo.db")}`,
    BENTOO_ADMIN_TOKEN: ADMIN_TOKEN,
    BENTOO_SEED_DEMO: "false",
  });
  // Enterprise: its limits leave room for every example, and for a retry or two, within a minute.
  const account = await adminCall<{ id: string }>(gateway, ADMIN_TOKEN, "POST", "/admin/v1/accounts", {
    email: "docs-examples@example.com",
    plan: "enterprise",
  });
  const key = await adminCall<{ key: string }>(gateway, ADMIN_TOKEN, "POST", `/admin/v1/accounts/${account.id}/keys`, {
    name: "docs examples",
    mode: "test",
    scopes: ["inference", "key:read", "audit:read"],
  });
  apiKey = key.key;
}, 60_000);

afterAll(async () => {
  await stopGateway(gateway);
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
});

describe("the docs pages' runnable examples", () => {
  it("are found, in every runnable language", () => {
    const languages = new Set(examples.map((example) => example.language));
    expect([...languages].sort()).toEqual([...RUNNABLE_LANGUAGES].sort());
  });

  examples.forEach((example, index) => {
    it(
      exampleName(example),
      async () => {
        const failure = await checkExample(example, index, {
          directory,
          origin: gateway.origin,
          env: exampleEnvironment(apiKey),
          timeoutMs: EXAMPLE_TIMEOUT_MS,
        });
        if (failure !== null) throw new Error(failure);
      },
      EXAMPLE_TIMEOUT_MS + 15_000,
    );
  });
});
