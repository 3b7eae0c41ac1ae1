import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStorage } from "@bentoo/storage";
import { afterAll, describe, expect, it } from "vitest";
import { findSecrets } from "../apps/gateway/test/audit-helpers.js";
import { adminCall, type BuiltServer, GATEWAY_MAIN, startBuiltServer } from "./support/built-server.js";

/**
 * A graceful shutdown during load records every request that got a response.
 * The BUILT server (`npm start`'s dist/main.js) on a temp SQLite
 * file takes a few hundred concurrent requests, gets SIGTERM while they are in
 * flight, and must exit 0 with a record for every request that was answered.
 */

const MAIN = GATEWAY_MAIN;
const ADMIN_TOKEN = "shutdown-test-admin-token-0123456789";
const REQUESTS = 400;
/** SIGTERM goes out once this many responses came back. */
const SIGTERM_AFTER = 40;

type Json = Record<string, unknown>;

interface Running extends BuiltServer {
  exited: Promise<number | null>;
}

/** The built server, with a promise of its exit code. */
async function start(env: Record<string, string>): Promise<Running> {
  const server = await startBuiltServer(env);
  const { child } = server;
  const exited =
    child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { ...server, exited };
}

describe("graceful shutdown of the built server under load", () => {
  const directory = mkdtempSync(join(tmpdir(), "bentoo-audit-shutdown-"));
  const database = join(directory, "bentoo.db");
  let running: Running | null = null;
  afterAll(async () => {
    if (running !== null && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill("SIGKILL");
      await running.exited;
    }
    rmSync(directory, { recursive: true, force: true });
  });

  it("is built (npm test builds first)", () => {
    expect(existsSync(MAIN), `${MAIN} is missing: run npm run build`).toBe(true);
  });

  it("records every request that got a response when SIGTERM arrives mid-load, and exits 0", async () => {
    running = await start({ BENTOO_DATABASE_URL: `sqlite:${database}`, BENTOO_ADMIN_TOKEN: ADMIN_TOKEN, BENTOO_SEED_DEMO: "false" });
    const { baseUrl } = running;
    const admin = (method: string, path: string, body: object) => adminCall(baseUrl, ADMIN_TOKEN, method, path, body);
    const account = await admin("POST", "/admin/v1/accounts", { email: "shutdown@example.com", plan: "pro" });
    await admin("PATCH", `/admin/v1/accounts/${account.id}`, { rpm_limit: 1_000_000, tpm_limit: 1_000_000_000 });
    const key = (await admin("POST", `/admin/v1/accounts/${account.id}/keys`, { name: "load", mode: "test" })).key as string;

    interface Outcome {
      index: number;
      status: number | null;
      requestId: string | null;
      error: string | null;
      /** The start of the body, kept for an answer without a request id. */
      body?: string;
    }
    let answered = 0;
    let pendingAtSigterm = -1;
    let signalled = false;
    const sigterm = () => {
      if (signalled) return;
      signalled = true;
      pendingAtSigterm = REQUESTS - answered;
      running!.child.kill("SIGTERM");
    };
    const send = async (index: number): Promise<Outcome> => {
      const headers: Record<string, string> = { "user-agent": `shutdown-load/${index}`, "content-type": "application/json" };
      if (index % 10 !== 3) headers.authorization = `Bearer ${key}`; // every tenth: a 401, recorded too
      const chat = index % 4 !== 0;
      try {
        const response = await fetch(`${baseUrl}/v1/${chat ? "chat/completions" : "models"}`, {
          method: chat ? "POST" : "GET",
          headers,
          ...(chat
            ? {
                body: JSON.stringify({
                  model: "openai/gpt-6-luna",
                  messages: [{ role: "user", content: `request ${index}` }],
                  max_tokens: 16,
                  stream: index % 3 === 0,
                }),
              }
            : {}),
        });
        // The response counts once its status line arrived; read the body too, as a client would.
        const requestId = response.headers.get("x-request-id");
        const body = await response.text().catch(() => "");
        return { index, status: response.status, requestId, error: null, body: requestId === null ? body.slice(0, 120) : "" };
      } catch (error) {
        return {
          index,
          status: null,
          requestId: null,
          error: error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? "")}` : String(error),
        };
      } finally {
        answered += 1;
        if (answered >= SIGTERM_AFTER) sigterm();
      }
    };
    const outcomes = await Promise.all(Array.from({ length: REQUESTS }, (_, index) => send(index)));
    const code = await running.exited;
    const output = running.output();

    const responded = outcomes.filter((outcome) => outcome.status !== null);
    const byStatus = new Map<number, number>();
    for (const outcome of responded) byStatus.set(outcome.status!, (byStatus.get(outcome.status!) ?? 0) + 1);
    const failures = outcomes.filter((outcome) => outcome.status === null);
    process.stdout.write(
      `[audit shutdown] ${REQUESTS} requests; SIGTERM with ${pendingAtSigterm} in flight; responses by status ${JSON.stringify(Object.fromEntries(byStatus))}; ${failures.length} without a response${failures[0] === undefined ? "" : ` (e.g. ${failures[0].error})`}\n`,
    );
    expect(code, output).toBe(0);
    expect(pendingAtSigterm, "SIGTERM must arrive while requests are in flight").toBeGreaterThan(0);
    expect(responded.length).toBeGreaterThanOrEqual(SIGTERM_AFTER);
    // Every answer carries its request id (what a user quotes to find the record).
    const withoutId = responded.filter((outcome) => outcome.requestId === null);
    // (Soft: a missing id fails the test, and the checks below still run for the rest.)
    expect
      .soft(
        withoutId.map((outcome) => `#${outcome.index} ${outcome.status} ${outcome.body}`),
        "responses without an x-request-id (so without a findable record)",
      )
      .toEqual([]);

    // The same SQLite file, opened after the exit: a record for every answered request.
    const storage = await openStorage(`sqlite:${database}`);
    try {
      const requestIds = responded.map((outcome) => outcome.requestId!).filter((id) => id !== null);
      const recorded = new Map<string, Json>();
      for (let offset = 0; offset < requestIds.length; offset += 200) {
        const rows = await storage.db
          .selectFrom("audit_log")
          .select(["request_id", "status", "user_agent", "account_id", "type"])
          .where("request_id", "in", requestIds.slice(offset, offset + 200))
          .execute();
        for (const row of rows) recorded.set(row.request_id!, row);
      }
      const missing = responded.filter((outcome) => outcome.requestId !== null && !recorded.has(outcome.requestId));
      process.stdout.write(`[audit shutdown] ${recorded.size} of ${responded.length} answered requests are recorded\n`);
      expect(
        missing.map((outcome) => `#${outcome.index} ${outcome.status} ${outcome.requestId}`),
        "answered but not recorded",
      ).toEqual([]);
      for (const outcome of responded) {
        const row = recorded.get(outcome.requestId!);
        if (row === undefined) continue;
        expect(row, `#${outcome.index}`).toMatchObject({
          type: "request",
          status: outcome.status,
          user_agent: `shutdown-load/${outcome.index}`,
          account_id: outcome.index % 10 === 3 ? null : account.id,
        });
      }
      // Nothing recorded twice.
      const total = await storage.db
        .selectFrom("audit_log")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("type", "=", "request")
        .executeTakeFirstOrThrow();
      expect(Number(total.n)).toBeGreaterThanOrEqual(recorded.size);
      expect(Number(total.n)).toBeLessThanOrEqual(REQUESTS);
    } finally {
      await storage.close();
    }

    // The child's stdout/stderr hold no key material, Authorization values or cookies.
    expect(findSecrets(output, [key, ADMIN_TOKEN])).toEqual([]);
  }, 60_000);
});
