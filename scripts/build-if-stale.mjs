#!/usr/bin/env node
// The workspace builds that `tsc -b` does not cover: the SDK's (a clean dist/, then an
// ES-module and a CommonJS tsc build), the dashboard's (a type check, then Vite) and the
// docs site's (a type check, VitePress, then its inline scripts moved into files).
// Each runs only when something it reads changed since its last successful build, so
// `npm start` with nothing changed serves within seconds. The root `npm run build`
// (which `npm start` and `npm test` run) calls this after `tsc -b`, which is
// incremental on its own.
//
//   node scripts/build-if-stale.mjs            # every stale build, in order
//   node scripts/build-if-stale.mjs --force    # every build, whatever its stamp says
//
// A build is up to date when its outputs exist and its stamp is newer than every one
// of its inputs. The stamp is written only after the build succeeded, and holds the
// time the build started: an input saved while it ran is newer, and rebuilds next
// time. Inputs are compared by modification time, directories included, so a file
// deleted or renamed in an input directory also rebuilds (its directory's time
// changes). A clean clone has no stamps, so everything is built.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** A change of any dependency (what the SDK compiles against, what Vite bundles) shows here. */
const LOCKFILE = "package-lock.json";

/**
 * The builds, in the order they run. Paths are relative to the repository root;
 * `inputs` is everything the build reads but node_modules (covered by the lockfile),
 * `outputs` the files a successful build leaves.
 */
export const WORKSPACE_BUILDS = [
  {
    name: "sdk",
    command: ["npm", "run", "build", "--silent", "-w", "bentoo"],
    inputs: [
      "packages/sdk-js/src",
      "packages/sdk-js/scripts",
      "packages/sdk-js/package.json",
      "packages/sdk-js/tsconfig.esm.json",
      "packages/sdk-js/tsconfig.cjs.json",
      LOCKFILE,
    ],
    outputs: ["packages/sdk-js/dist/esm/index.js", "packages/sdk-js/dist/cjs/index.js", "packages/sdk-js/dist/cjs/package.json"],
  },
  {
    name: "dashboard",
    command: ["npm", "run", "build", "--silent", "-w", "@bentoo/dashboard"],
    // Its type check covers test/ too. It imports no workspace package (scripts/test checks
    // that); one it imported would have to be listed here, by the files Vite reads from it.
    inputs: [
      "apps/dashboard/src",
      "apps/dashboard/test",
      "apps/dashboard/public",
      "apps/dashboard/index.html",
      "apps/dashboard/vite.config.ts",
      "apps/dashboard/tsconfig.json",
      "apps/dashboard/package.json",
      LOCKFILE,
    ],
    outputs: ["apps/dashboard/dist/index.html"],
  },
  {
    name: "docs",
    command: ["npm", "run", "build", "--silent", "-w", "@bentoo/docs"],
    // Not the whole .vitepress/ folder: VitePress writes its .temp/ there while it builds.
    inputs: [
      "apps/docs/pages",
      "apps/docs/.vitepress/config.ts",
      "apps/docs/.vitepress/theme",
      "apps/docs/scripts",
      "apps/docs/tsconfig.json",
      "apps/docs/package.json",
      LOCKFILE,
    ],
    outputs: ["apps/docs/dist/index.html"],
  },
];

/** Where a build's stamp lives: beside the installed packages, outside anything that is published or served. */
export function stampPath(root, build) {
  return join(root, "node_modules", ".cache", "bentoo-builds", `${build.name}.json`);
}

/** The latest modification time (ms) of a file, or of a directory and everything in it. */
function newestTime(path) {
  const stats = statSync(path);
  let newest = stats.mtimeMs;
  if (stats.isDirectory()) {
    for (const entry of readdirSync(path)) newest = Math.max(newest, newestTime(join(path, entry)));
  }
  return newest;
}

/** The latest modification time among a build's inputs; a listed input that is missing is an error in the list. */
export function newestInputTime(root, build) {
  let newest = 0;
  for (const input of build.inputs) {
    const path = join(root, input);
    if (!existsSync(path))
      throw new Error(`${input}, an input of the ${build.name} build, does not exist: update WORKSPACE_BUILDS in scripts/build-if-stale.mjs`);
    newest = Math.max(newest, newestTime(path));
  }
  return newest;
}

/** When the last successful build started (ms), or null when there is no readable stamp. */
function stampedStart(root, build) {
  try {
    const { startedAt } = JSON.parse(readFileSync(stampPath(root, build), "utf8"));
    return Number.isFinite(startedAt) ? startedAt : null;
  } catch {
    return null;
  }
}

/** Whether a build's outputs exist and it started after its newest input was last changed. */
export function isUpToDate(root, build) {
  const newestInput = newestInputTime(root, build);
  const startedAt = stampedStart(root, build);
  if (startedAt === null || !build.outputs.every((output) => existsSync(join(root, output)))) return false;
  return newestInput < startedAt;
}

/**
 * Runs the build unless it is up to date (or `force`), and stamps it when it succeeds.
 * Returns whether it ran; throws when it failed (the stamp is left as it was).
 */
export function buildIfStale(root, build, { force = false } = {}) {
  // Checked even when forced: a listed input that is missing is reported either way.
  if (isUpToDate(root, build) && !force) return false;
  const startedAt = Date.now();
  const [command, ...args] = build.command;
  const run = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (run.error !== undefined) throw new Error(`the ${build.name} build could not start: ${run.error.message}`);
  if (run.status !== 0) throw new Error(`the ${build.name} build failed (exit ${run.status ?? run.signal})`);
  mkdirSync(dirname(stampPath(root, build)), { recursive: true });
  writeFileSync(stampPath(root, build), `${JSON.stringify({ startedAt })}\n`);
  return true;
}

function main() {
  const { values } = parseArgs({ options: { force: { type: "boolean", default: false } } });
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  try {
    for (const build of WORKSPACE_BUILDS) buildIfStale(root, build, { force: values.force });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
