#!/usr/bin/env node
import cluster from "node:cluster";
import { join, resolve } from "node:path";
import { createApp } from "./app.js";
import { startRetention } from "./audit/retention.js";
import { ConfigError, parseConfig } from "./config.js";
import { type DemoSeed, seedDemoAccount } from "./first-run.js";
import { createServices } from "./services.js";

/** The composition root: the only file that reads the environment and starts things. */
function describeStorage(url: string): string {
  return url.startsWith("sqlite:") ? `SQLite file ${resolve(url.slice("sqlite:".length))}` : `PostgreSQL (${url.replace(/\/\/[^@/]*@/, "//…@")})`;
}

function banner(baseUrl: string, storage: string, seed: DemoSeed | null, adminEnabled: boolean): string {
  const lines = [
    "",
    `Bentoo is serving on ${baseUrl}`,
    `Data: ${storage}`,
    `Admin API: ${adminEnabled ? `${baseUrl}/admin/v1 (BENTOO_ADMIN_TOKEN)` : "off (set BENTOO_ADMIN_TOKEN to enable)"}`,
  ];
  if (seed !== null) {
    lines.push(
      "",
      "Created a demo account with a TEST key (sandbox answers, no network, no credits).",
      "It is shown only this once; copy it now:",
      "",
      `  export BENTOO_API_KEY=${seed.testKey}`,
      `  curl ${baseUrl}/v1/chat/completions -H "Authorization: Bearer $BENTOO_API_KEY" \\`,
      `    -H "Content-Type: application/json" -d '{"model":"openai/gpt-6-luna","messages":[{"role":"user","content":"Hello"}]}'`,
    );
  }
  return `${lines.join("\n")}\n\n`;
}

/** The background purges: audit records, and stored responses with the same retention. */
function startRetentions(services: Awaited<ReturnType<typeof createServices>>, days: { audit: number; usage: number }): () => void {
  const { audit } = services.storage;
  const stops = [
    startRetention(audit, days.audit, services.logger, services.now),
    startRetention(services.storage.responses, days.audit, services.logger, services.now, "stored responses"),
    // Usage rollups outlive the raw log they count (docs/usage.md).
    startRetention({ purgeOlderThan: (cutoff) => audit.purgeUsageOlderThan(cutoff) }, days.usage, services.logger, services.now, "usage rollups"),
  ];
  return () => {
    for (const stop of stops) stop();
  };
}

/** `--workers N` (or BENTOO_WORKERS): N processes sharing the port through node:cluster. */
function workerCount(argv: readonly string[], env: NodeJS.ProcessEnv): number {
  const index = argv.indexOf("--workers");
  const raw = index === -1 ? env.BENTOO_WORKERS : argv[index + 1];
  if (raw === undefined || raw === "") return 1;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1 || count > 256) throw new ConfigError(`--workers must be a whole number from 1 to 256 (got "${raw}")`);
  return count;
}

/** Runs one server in this process until a signal stops it. */
async function serve(config: ReturnType<typeof parseConfig>, isWorker: boolean): Promise<void> {
  const services = await createServices(config, (variable) => process.env[variable]);
  const app = await createApp(services);
  const seed = config.seedDemo && !isWorker ? await seedDemoAccount(services) : null;
  const stopRetention =
    isWorker && cluster.worker?.id !== 1 ? () => undefined : startRetentions(services, { audit: config.auditRetentionDays, usage: config.usageRetentionDays });
  await app.listen({ host: config.host, port: config.port });
  // Every process delivers webhooks: claims with a lease keep instances and workers from attempting one delivery twice at once.
  services.webhookDispatcher.start();
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  if (!isWorker)
    process.stdout.write(
      banner(`${config.tls === null ? "http" : "https"}://${host}:${port}`, describeStorage(config.databaseUrl), seed, config.adminToken !== null),
    );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1); // a second signal exits at once
    stopping = true;
    services.logger.info({ signal }, "shutting down: finishing in-flight requests, then flushing the audit log and the ledger");
    // In-flight streams get this long to finish; then connections are cut and the queues still flushed.
    const deadline = setTimeout(() => app.server.closeAllConnections(), SHUTDOWN_GRACE_MS);
    deadline.unref();
    stopRetention();
    await app.close();
    clearTimeout(deadline);
    await services.close();
    services.logger.flush();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

const SHUTDOWN_GRACE_MS = 25_000;

/** The primary of `--workers N`: migrates and seeds once, prints the banner, then supervises the workers. */
async function supervise(config: ReturnType<typeof parseConfig>, count: number): Promise<void> {
  if (config.redisUrl === null) {
    throw new ConfigError(
      "--workers needs BENTOO_REDIS_URL: rate limits, credit holds and key revocations must be shared between the worker processes. Start Redis and set BENTOO_REDIS_URL, or run one process.",
    );
  }
  if (config.port === 0) throw new ConfigError("--workers needs a fixed PORT");
  const services = await createServices(config, (variable) => process.env[variable]);
  const seed = config.seedDemo ? await seedDemoAccount(services) : null;
  // Opening the services replayed every journal dead workers left; each worker then journals in a directory of its own.
  await services.close();
  let stopping = false;
  // A worker's slot names its journal directory: the one that replaces a dead worker takes its slot, and replays what it left.
  const slots = new Map<number, number>();
  const fork = (slot: number) => slots.set(cluster.fork({ [WORKER_SLOT]: String(slot) }).id, slot);
  for (let slot = 1; slot <= count; slot += 1) fork(slot);
  cluster.on("exit", (worker, code) => {
    if (!stopping) {
      process.stderr.write(`worker ${worker.process.pid} exited (${code}); starting another\n`);
      fork(slots.get(worker.id) ?? worker.id);
      slots.delete(worker.id);
    } else if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  });
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  process.stdout.write(
    banner(
      `${config.tls === null ? "http" : "https"}://${host}:${config.port}`,
      `${describeStorage(config.databaseUrl)}; ${count} workers`,
      seed,
      config.adminToken !== null,
    ),
  );
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
}

/** Set by the primary of `--workers N` for each worker it forks: which worker it is (1…N). */
const WORKER_SLOT = "BENTOO_WORKER_SLOT";

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  if (cluster.isWorker) return serve({ ...config, journalDir: join(config.journalDir, `worker-${process.env[WORKER_SLOT] ?? cluster.worker?.id}`) }, true);
  const count = workerCount(process.argv, process.env);
  return count > 1 ? supervise(config, count) : serve(config, false);
}

main().catch((error: unknown) => {
  const message =
    error instanceof ConfigError
      ? `Configuration error: ${error.message}`
      : `Bentoo could not start: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
