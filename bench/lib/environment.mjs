// Facts about where a run happens, recorded with its results: the build that
// was measured, the machine, and whether PostgreSQL and Redis are there.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { UsageError } from "./options.mjs";
import { postgresProblem, redisProblem } from "./services.mjs";

/** The Postgres+Redis settings when both answer; otherwise null and a notice saying why. */
export async function postgresSettings(options, notices) {
  if (!options.postgres) return null;
  const [postgres, redis] = await Promise.all([postgresProblem(options.postgresUrl), redisProblem(options.redisUrl)]);
  if (postgres === null && redis === null) return { adminUrl: options.postgresUrl, redisUrl: options.redisUrl };
  const why = [
    postgres && `PostgreSQL (${options.postgresUrl.replace(/\/\/[^@/]*@/, "//…@")}): ${postgres}`,
    redis && `Redis (${options.redisUrl}): ${redis}`,
  ].filter(Boolean);
  notices.push(`Postgres+Redis target skipped: ${why.join("; ")}`);
  return null;
}

export function checkBuilt(repositoryRoot) {
  for (const file of ["apps/gateway/dist/main.js", "packages/test-kit/dist/fake-upstream.js"]) {
    if (!existsSync(join(repositoryRoot, file))) throw new UsageError(`${file} is missing: build first with npx tsc -b`);
  }
}

/** Which build was measured: the gateway changes under a long-lived checkout. */
export function build(repositoryRoot) {
  const git = (...args) => {
    try {
      return execFileSync("git", args, { cwd: repositoryRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return null;
    }
  };
  const status = git("status", "--porcelain", "--untracked-files=no");
  return {
    commit: git("rev-parse", "--short", "HEAD"),
    uncommitted_changes: status === null ? null : status !== "",
    dist_built_at: newestBuildOutput(repositoryRoot),
  };
}

/** When the newest compiled file of any workspace was written (tsc leaves unchanged outputs alone). */
function newestBuildOutput(repositoryRoot) {
  let newest = 0;
  for (const parent of ["apps", "packages"]) {
    const parentPath = join(repositoryRoot, parent);
    for (const workspace of existsSync(parentPath) ? readdirSync(parentPath) : []) {
      const dist = join(parentPath, workspace, "dist");
      if (!existsSync(dist)) continue;
      for (const file of readdirSync(dist, { recursive: true })) {
        if (String(file).endsWith(".js")) newest = Math.max(newest, statSync(join(dist, String(file))).mtimeMs);
      }
    }
  }
  return newest === 0 ? null : new Date(newest).toISOString();
}

export function machine() {
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? "unknown",
    memory_mb: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    loadavg: loadavg(),
  };
}
