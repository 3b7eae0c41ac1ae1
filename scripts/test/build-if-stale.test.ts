import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildIfStale, isUpToDate, stampPath, WORKSPACE_BUILDS } from "../build-if-stale.mjs";

const repositoryRoot = fileURLToPath(new URL("../..", import.meta.url));

/**
 * A stand-in workspace build: it reads src/ and config.json, writes dist/out.txt
 * from them, and appends a line to builds.log each time it runs, so that a test
 * can count the builds. It fails while src/fail exists.
 */
const BUILD_SCRIPT = `
import { appendFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
appendFileSync("builds.log", "built\\n");
if (existsSync("src/fail")) process.exit(3);
mkdirSync("dist", { recursive: true });
writeFileSync("dist/out.txt", readdirSync("src").join(","));
`;

const build = {
  name: "fixture",
  command: [process.execPath, "build.mjs"],
  inputs: ["src", "config.json"],
  outputs: ["dist/out.txt"],
};

let root: string;

function buildsRun(): number {
  return existsSync(join(root, "builds.log")) ? readFileSync(join(root, "builds.log"), "utf8").split("\n").filter(Boolean).length : 0;
}

/** Sets a file's (or directory's) modification time `secondsAgo` in the past. */
function age(path: string, secondsAgo: number): void {
  const when = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(join(root, path), when, when);
}

/** Lets the clock move past the last stamp, so that a change made now is strictly newer than it. */
function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 20));
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "bentoo-build-if-stale-"));
  mkdirSync(join(root, "src/nested"), { recursive: true });
  writeFileSync(join(root, "build.mjs"), BUILD_SCRIPT);
  writeFileSync(join(root, "config.json"), "{}");
  writeFileSync(join(root, "src/a.ts"), "export const a = 1;");
  writeFileSync(join(root, "src/nested/b.ts"), "export const b = 2;");
  // Sources written before the first build, as after a checkout.
  for (const path of ["config.json", "src/a.ts", "src/nested/b.ts", "src/nested", "src"]) age(path, 3600);
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe("buildIfStale", () => {
  it("builds when there is no stamp (a clean clone), then skips while nothing changed", () => {
    expect(isUpToDate(root, build)).toBe(false);
    expect(buildIfStale(root, build)).toBe(true);
    expect(readFileSync(join(root, "dist/out.txt"), "utf8")).toBe("a.ts,nested");
    expect(isUpToDate(root, build)).toBe(true);
    expect(buildIfStale(root, build)).toBe(false);
    expect(buildsRun()).toBe(1);
  });

  it("rebuilds when a source file is touched, and only once", async () => {
    buildIfStale(root, build);
    await tick();
    const now = new Date();
    utimesSync(join(root, "src/nested/b.ts"), now, now);
    expect(isUpToDate(root, build)).toBe(false);
    await tick();
    expect(buildIfStale(root, build)).toBe(true);
    expect(buildIfStale(root, build)).toBe(false);
    expect(buildsRun()).toBe(2);
  });

  it("rebuilds when a listed input file changes, or a source file is deleted or added", async () => {
    buildIfStale(root, build);
    await tick();
    writeFileSync(join(root, "config.json"), '{"changed":true}');
    await tick();
    expect(buildIfStale(root, build)).toBe(true);

    await tick();
    unlinkSync(join(root, "src/nested/b.ts"));
    await tick();
    expect(isUpToDate(root, build)).toBe(false);
    expect(buildIfStale(root, build)).toBe(true);

    await tick();
    writeFileSync(join(root, "src/c.ts"), "export const c = 3;");
    // Written with an old time (as a copy that keeps times would): the directory's own time still shows it.
    age("src/c.ts", 3600);
    await tick();
    expect(buildIfStale(root, build)).toBe(true);
    expect(readFileSync(join(root, "dist/out.txt"), "utf8")).toBe("a.ts,c.ts,nested");
    expect(buildsRun()).toBe(4);
  });

  it("rebuilds when an output is missing, and when forced", () => {
    buildIfStale(root, build);
    rmSync(join(root, "dist"), { recursive: true });
    expect(isUpToDate(root, build)).toBe(false);
    expect(buildIfStale(root, build)).toBe(true);
    expect(buildIfStale(root, build, { force: true })).toBe(true);
    expect(buildsRun()).toBe(3);
  });

  it("a failed build leaves no stamp behind: it is tried again next time", async () => {
    buildIfStale(root, build);
    await tick();
    writeFileSync(join(root, "src/fail"), "");
    await tick();
    expect(() => buildIfStale(root, build)).toThrow("the fixture build failed (exit 3)");
    expect(isUpToDate(root, build)).toBe(false);
    expect(() => buildIfStale(root, build)).toThrow("failed");
    expect(buildsRun()).toBe(3);
  });

  it("a listed input that does not exist is an error that names it", () => {
    expect(() => buildIfStale(root, { ...build, inputs: [...build.inputs, "public"] })).toThrow(/public, an input of the fixture build, does not exist/);
    expect(buildsRun()).toBe(0);
  });

  it("keeps its stamps under node_modules/.cache, out of every published or served folder", () => {
    buildIfStale(root, build);
    expect(stampPath(root, build)).toBe(join(root, "node_modules/.cache/bentoo-builds/fixture.json"));
    expect(readdirSync(join(root, "dist"))).toEqual(["out.txt"]);
  });
});

describe("the repository's builds", () => {
  it("list inputs that exist", () => {
    for (const workspaceBuild of WORKSPACE_BUILDS) {
      for (const input of workspaceBuild.inputs) expect(existsSync(join(repositoryRoot, input)), `${workspaceBuild.name}: ${input}`).toBe(true);
    }
  });

  it.each([
    ["apps/dashboard", "src", /\.tsx?$/],
    ["apps/docs", ".vitepress", /\.(ts|vue)$/],
  ])("%s imports only npm packages it declares (whose changes show in the lockfile), no workspace package", (workspace, sources, pattern) => {
    const folder = join(repositoryRoot, workspace);
    const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})]);
    const imported = new Set<string>();
    for (const file of readdirSync(join(folder, sources), { recursive: true })) {
      if (!pattern.test(String(file))) continue;
      const text = readFileSync(join(folder, sources, String(file)), "utf8");
      for (const match of text.matchAll(/^\s*(?:import|export)\b[^"'`]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm)) {
        const specifier = match[1] ?? match[2]!;
        if (specifier.startsWith(".") || builtinModules.includes(specifier)) continue;
        const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
        imported.add(name);
      }
    }
    expect(imported.size).toBeGreaterThan(0);
    // A workspace package is not declared there; if one starts importing one, add the files
    // Vite reads from it to the build's inputs in scripts/build-if-stale.mjs, then declare it.
    for (const name of imported) expect(declared.has(name), `${name} is imported by ${workspace}/${sources} but not declared in its package.json`).toBe(true);
  });
});
