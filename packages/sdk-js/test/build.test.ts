import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeKey } from "./helpers.js";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const built = existsSync(join(packageDir, "dist/esm/index.js")) && existsSync(join(packageDir, "dist/cjs/index.js"));

function run(command: string, args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, BENTOO_API_KEY: "", BENTOO_BASE_URL: "" } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

it("sources and tests type-check under strict settings", () => {
  const result = run(process.execPath, [tsc, "-p", "tsconfig.json"], packageDir);
  expect(result.stdout + result.stderr).toBe("");
  expect(result.status).toBe(0);
}, 60_000);

// Runs after `npm run build`; skipped (and reported as skipped) when dist/ is missing.
describe.skipIf(!built)("the built package (dist/)", () => {
  let consumer = "";
  const apiKey = makeKey("live");

  beforeAll(() => {
    consumer = mkdtempSync(join(tmpdir(), "bentoo-sdk-consumer-"));
    mkdirSync(join(consumer, "node_modules"));
    symlinkSync(packageDir, join(consumer, "node_modules", "bentoo"), "dir");
  });

  afterAll(() => {
    if (consumer !== "") rmSync(consumer, { recursive: true, force: true });
  });

  it("is imported as ESM through the exports map", () => {
    writeFileSync(
      join(consumer, "esm.mjs"),
      `import Bentoo, { Bentoo as Named, AuthenticationError, VERSION } from "bentoo";
const client = new Bentoo({ apiKey: process.argv[2] });
console.log(JSON.stringify({
  resolved: import.meta.resolve("bentoo"),
  same: Bentoo === Named,
  statics: Bentoo.AuthenticationError === AuthenticationError,
  baseURL: client.baseURL,
  version: VERSION,
  create: typeof client.chat.completions.create,
  json: JSON.stringify(client),
}));`,
    );
    const result = run(process.execPath, ["esm.mjs", apiKey], consumer);
    expect(result.stderr).toBe("");
    const output = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(output).toMatchObject({ same: true, statics: true, baseURL: "http://127.0.0.1:8080/v1", version: "0.1.0", create: "function" });
    expect(String(output.resolved)).toMatch(/dist\/esm\/index\.js$/);
    expect(String(output.json)).not.toContain(apiKey);
  });

  it("is required as CommonJS through the exports map", () => {
    writeFileSync(
      join(consumer, "cjs.cjs"),
      `const sdk = require("bentoo");
const client = new sdk.Bentoo({ apiKey: process.argv[2] });
const viaDefault = new sdk.default({ apiKey: process.argv[2], baseURL: "https://example.com/v1/" });
let missing = "";
try { new sdk.Bentoo(); } catch (error) { missing = String(error instanceof sdk.BentooError) + " " + error.message; }
console.log(JSON.stringify({ resolved: require.resolve("bentoo"), baseURL: client.baseURL, other: viaDefault.baseURL, missing }));`,
    );
    const result = run(process.execPath, ["cjs.cjs", apiKey], consumer);
    expect(result.stderr).toBe("");
    const output = JSON.parse(result.stdout) as Record<string, string>;
    expect(output.resolved).toMatch(/dist\/cjs\/index\.js$/);
    expect(output.baseURL).toBe("http://127.0.0.1:8080/v1");
    expect(output.other).toBe("https://example.com/v1");
    expect(output.missing).toMatch(/^true The BENTOO_API_KEY environment variable is missing/);
  });

  it("type-checks for ESM and CommonJS consumers (module node16)", () => {
    writeFileSync(
      join(consumer, "esm.mts"),
      `import Bentoo, { type ChatCompletion } from "bentoo";
const client = new Bentoo({ apiKey: "x" });
export const completion: Promise<ChatCompletion> = client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] });
`,
    );
    writeFileSync(
      join(consumer, "cjs.cts"),
      `import { Bentoo, RateLimitError, type AuditRecord } from "bentoo";
const client = new Bentoo({ apiKey: "x" });
export async function ids(): Promise<string[]> {
  const out: string[] = [];
  for await (const record of client.audit.logs.list()) out.push((record satisfies AuditRecord).id);
  return out;
}
export const isRateLimit = (error: unknown): boolean => error instanceof RateLimitError;
`,
    );
    writeFileSync(
      join(consumer, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { module: "node16", moduleResolution: "node16", target: "ES2022", lib: ["ES2022", "DOM"], types: [], strict: true, noEmit: true },
        files: ["esm.mts", "cjs.cts"],
      }),
    );
    const result = run(process.execPath, [tsc, "-p", "tsconfig.json"], consumer);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  }, 60_000);

  it("uses no Node built-in module (edge runtimes)", () => {
    for (const format of ["esm", "cjs"]) {
      const dir = join(packageDir, "dist", format);
      const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".js"));
      expect(files.length).toBeGreaterThan(10);
      for (const file of files) {
        const source = readFileSync(join(dir, file), "utf8");
        expect(source, file).not.toMatch(/["']node:|require\(["'](fs|zlib|crypto|http|https|util|buffer)["']\)/);
        expect(source, file).not.toMatch(/(^|[^.\w])process\./m);
      }
    }
  });
});
