import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkExample, exampleEnvironment, PLACEHOLDER_ORIGIN, prepareCode, REPOSITORY_ROOT } from "./support/run-example.js";
import { exampleName, extractRunnableExamples } from "./support/runnable-examples.js";

/**
 * The runner judges examples right: it runs each example of
 * fixtures/judged-examples.md against a small local server and must pass exactly
 * those whose first line says "must pass". The failing ones prove that a broken
 * example fails the build (an exception, a non-zero exit, an HTTP error through
 * --fail-with-body, pipefail, nounset, a hang), and that a curl unable to fail is
 * refused.
 */

const FIXTURE = fileURLToPath(new URL("./fixtures/judged-examples.md", import.meta.url));
const examples = extractRunnableExamples(readFileSync(FIXTURE, "utf8"), "fixtures/judged-examples.md");
/** A short timeout, for the example that never ends; the others finish well within it. */
const TIMEOUT_MS = 5_000;

let server: Server;
let origin: string;
let directory: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === "/ok") {
      response.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    const body = { error: { message: "Invalid API key.", type: "authentication_error", param: null, code: "invalid_api_key" } };
    response.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const parent = join(REPOSITORY_ROOT, "node_modules", ".cache", "bentoo-docs-examples");
  mkdirSync(parent, { recursive: true });
  directory = mkdtempSync(join(parent, "judged-"));
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
});

describe("the examples runner", () => {
  it("reads the fixture's runnable examples, and not its unmarked one", () => {
    expect(examples.map((example) => example.language)).toEqual(["bash", "bash", "bash", "bash", "bash", "js", "js", "js", "js", "python", "python"]);
    expect(examples.some((example) => example.code.includes("never runs"))).toBe(false);
  });

  it("replaces the placeholder origin, and nothing else", () => {
    const example = { page: "a.md", line: 1, language: "bash" as const, code: `curl ${PLACEHOLDER_ORIGIN}/v1/models # bentoo.example.com\n` };
    expect(prepareCode(example, "http://127.0.0.1:1234")).toBe("curl http://127.0.0.1:1234/v1/models # bentoo.example.com\n");
  });

  examples.forEach((example, index) => {
    const verdict = /must (pass|fail)/.exec(example.code)?.[1];
    it(`${verdict === "pass" ? "passes" : "fails"} ${exampleName(example)}`, async () => {
      expect(verdict, "each fixture example says whether it must pass or fail").toBeDefined();
      const failure = await checkExample(example, index, {
        directory,
        origin,
        env: exampleEnvironment("btoo_sk_test_fixture"),
        timeoutMs: TIMEOUT_MS,
      });
      if (verdict === "pass") expect(failure).toBeNull();
      else {
        expect(failure).not.toBeNull();
        expect(failure).toContain(`fixtures/judged-examples.md:${example.line}`);
      }
    }, 30_000);
  });

  it("reports the code and the output of a failing example", async () => {
    const example = examples.find((candidate) => candidate.code.includes("--fail-with-body turns"))!;
    const failure = await checkExample(example, 100, { directory, origin, env: exampleEnvironment("btoo_sk_test_fixture"), timeoutMs: TIMEOUT_MS });
    expect(failure).toContain("exited with code 22");
    expect(failure).toContain(`  2 | curl --fail-with-body -sS ${origin}/v1/models`);
    expect(failure).toContain('"code":"invalid_api_key"');
  });
});
