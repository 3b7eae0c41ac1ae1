#!/usr/bin/env node
// Bentoo's client APIs under load, side by side: each scenario is one client API
// served by one provider type (a passthrough where both speak the same API, a
// translation otherwise), all on the same built gateway (SQLite + memory) in one
// run, each against a fake upstream in its own process. Chat Completions → an
// `openai` provider (passthrough) is the reference the others are compared with.
// See bench/README.md, "Client APIs". A report, not a test: exits 0 whatever
// the ratios, non-zero only when a scenario could not run.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { cpuMicros, killAllChildrenNow, startChild, stopAllChildren, stopChild } from "./lib/children.mjs";
import { selectLoadGenerator } from "./lib/load-generator.mjs";
import { adminCall, gatewayNodeFlags, provisionBenchAccount } from "./lib/targets.mjs";

const benchDirectory = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = resolve(benchDirectory, "..");
const LISTENING = /listening (http:\/\/\S+)/;
const GATEWAY_READY = /Bentoo is serving on (http:\/\/\S+)/;
// About 20 words, as bench/run.mjs sends: both fakes stream the answer one word per event.
const PROMPT = "Please write a short friendly greeting for the people who run this benchmark of the Bentoo gateway on a small machine today";
const PRICES = { input_price_per_mtok: 1, output_price_per_mtok: 2, context_length: 200_000 };

/** The fake upstreams, one process each: `url` is a catalog's base_url. */
const UPSTREAMS = {
  openai: { script: "fake-upstream-runner.mjs", args: ["0"] },
  anthropic: { script: "fake-anthropic-runner.mjs", args: [] },
};

/**
 * The scenarios: a client API (path, request body per mode) and the catalog
 * model that serves it (its provider type and fake upstream). `reference` is
 * the scenario whose req/s the others are compared with.
 */
const SCENARIOS = [
  {
    id: "chat",
    label: "/v1/chat/completions → openai (passthrough)",
    path: "/v1/chat/completions",
    upstream: "openai",
    model: { id: "fake/bench", type: "openai", upstream_model: "bench-model" },
    body: (mode) => ({
      model: "fake/bench",
      max_tokens: 64,
      messages: [{ role: "user", content: PROMPT }],
      ...(mode === "stream" ? { stream: true, stream_options: { include_usage: true } } : {}),
    }),
  },
  {
    id: "messages",
    label: "/v1/messages → anthropic (passthrough)",
    path: "/v1/messages",
    upstream: "anthropic",
    headers: { "anthropic-version": "2023-06-01" },
    model: { id: "claude/bench", type: "anthropic", upstream_model: "claude-bench" },
    body: (mode) => ({ model: "claude/bench", max_tokens: 64, messages: [{ role: "user", content: PROMPT }], ...(mode === "stream" ? { stream: true } : {}) }),
  },
];
const REFERENCE = "chat";

const USAGE = `Usage: node bench/surfaces.mjs [options]

  --duration <s>     seconds of load per scenario and mode (default 10; --smoke: 2)
  --rounds <n>       the load split into n interleaved rounds; medians reported (default 4; --smoke: 1)
  --connections <n>  concurrent connections under load (default 50)
  --only <ids>       comma-separated subset of ${SCENARIOS.map((scenario) => scenario.id).join(",")} (${REFERENCE} always runs)
  --smoke            short run that only shows every scenario answers
  --out <file>       JSON results (default bench/results/surfaces.json; --smoke: bench/results/surfaces-smoke.json)
  --help
`;

function options() {
  const { values } = parseArgs({
    options: {
      duration: { type: "string" },
      rounds: { type: "string" },
      connections: { type: "string", default: "50" },
      only: { type: "string" },
      smoke: { type: "boolean", default: false },
      out: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const number = (raw, fallback) => {
    const value = Number(raw ?? fallback);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`expected a positive integer, got "${raw}"\n\n${USAGE}`);
    return value;
  };
  const only = values.only === undefined ? null : new Set([REFERENCE, ...values.only.split(",")]);
  return {
    smoke: values.smoke,
    seconds: number(values.duration, values.smoke ? 2 : 10),
    rounds: number(values.rounds, values.smoke ? 1 : 4),
    connections: number(values.connections, 50),
    scenarios: SCENARIOS.filter((scenario) => only === null || only.has(scenario.id)),
    out: values.out ?? join(benchDirectory, "results", values.smoke ? "surfaces-smoke.json" : "surfaces.json"),
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function startUpstreams(scenarios, logDirectory) {
  const started = {};
  for (const name of new Set(scenarios.map((scenario) => scenario.upstream))) {
    const { script, args } = UPSTREAMS[name];
    const handle = await startChild({ name: `upstream-${name}`, args: [join(benchDirectory, script), ...args], logDirectory, readyPattern: LISTENING });
    started[name] = { pid: handle.pid, url: handle.ready[1] };
  }
  return started;
}

/** The built gateway on a fresh SQLite file, with one catalog model per scenario; its URL and a live key's headers. */
async function startGateway(scenarios, upstreams, workDirectory) {
  const catalog = {
    providers: Object.entries(upstreams).map(([name, upstream]) => ({
      id: `fake-${name}`,
      type: scenarios.find((scenario) => scenario.upstream === name).model.type,
      base_url: upstream.url,
      api_key_env: null,
    })),
    models: scenarios.map(({ model, upstream }) => ({ id: model.id, provider: `fake-${upstream}`, upstream_model: model.upstream_model, ...PRICES })),
  };
  const catalogPath = join(workDirectory, "catalog.json");
  writeFileSync(catalogPath, JSON.stringify(catalog));
  const adminToken = randomBytes(24).toString("hex");
  const environment = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("BENTOO_")));
  const handle = await startChild({
    name: "bentoo",
    args: [...gatewayNodeFlags(repositoryRoot), join(repositoryRoot, "apps/gateway/dist/main.js")],
    env: {
      ...environment,
      HOST: "127.0.0.1",
      PORT: "0",
      BENTOO_DATABASE_URL: `sqlite:${join(workDirectory, "bentoo.db")}`,
      BENTOO_ADMIN_TOKEN: adminToken,
      BENTOO_CATALOG: catalogPath,
      BENTOO_SEED_DEMO: "false",
      BENTOO_JOURNAL_DIR: join(workDirectory, "journal"),
    },
    cwd: workDirectory,
    logDirectory: workDirectory,
    readyPattern: GATEWAY_READY,
  });
  const baseUrl = handle.ready[1];
  const { apiKey } = await provisionBenchAccount((method, path, body) => adminCall(baseUrl, adminToken, method, path, body), []);
  return { handle, baseUrl, authorization: `Bearer ${apiKey}` };
}

function loadRequest(gateway, scenario, mode, connections) {
  return {
    url: `${gateway.baseUrl}${scenario.path}`,
    headers: { "content-type": "application/json", authorization: gateway.authorization, ...scenario.headers },
    body: JSON.stringify(scenario.body(mode)),
    connections,
  };
}

/** One request of each mode must answer 200 (a stream with events) before any load. */
async function probe(request, mode) {
  const response = await fetch(request.url, { method: "POST", headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${request.url} (${mode}) answered ${response.status}: ${text.slice(0, 300)}`);
  return mode === "stream" ? text.split("\n\n").filter((event) => event.trim() !== "").length : 0;
}

async function main() {
  const settings = options();
  const workDirectory = mkdtempSync(join(tmpdir(), "bentoo-surfaces-"));
  const generator = await selectLoadGenerator(null, workDirectory);
  const upstreams = await startUpstreams(settings.scenarios, workDirectory);
  const gateway = await startGateway(settings.scenarios, upstreams, workDirectory);
  const runs = new Map();
  try {
    for (const scenario of settings.scenarios) {
      for (const mode of ["json", "stream"]) {
        const request = loadRequest(gateway, scenario, mode, settings.connections);
        const events = await probe(request, mode);
        await generator.run({ ...request, seconds: settings.smoke ? 0.5 : 2 });
        runs.set(`${scenario.id}:${mode}`, { scenario, mode, request, events, rounds: [] });
      }
    }
    const share = settings.seconds / settings.rounds;
    for (let round = 0; round < settings.rounds; round += 1) {
      const order = round % 2 === 0 ? [...runs.values()] : [...runs.values()].reverse();
      for (const run of order) {
        const before = cpuMicros(gateway.handle.pid);
        const result = await generator.run({ ...run.request, seconds: share });
        const failed = result.non2xx + result.errors + result.timeouts;
        run.rounds.push({
          rps: result.rps,
          p50_ms: result.p50Ms,
          p99_ms: result.p99Ms,
          failed,
          cpu_us: (cpuMicros(gateway.handle.pid) - before) / result.requests,
        });
      }
    }
  } finally {
    await stopChild(gateway.handle);
    await stopAllChildren();
  }
  report([...runs.values()], settings, generator);
  rmSync(workDirectory, { recursive: true, force: true });
}

function report(runs, settings, generator) {
  const rows = runs.map((run) => ({
    scenario: run.scenario.id,
    label: run.scenario.label,
    mode: run.mode,
    events_per_stream: run.mode === "stream" ? run.events : null,
    rps: median(run.rounds.map((round) => round.rps)),
    p50_ms: median(run.rounds.map((round) => round.p50_ms)),
    p99_ms: median(run.rounds.map((round) => round.p99_ms)),
    cpu_us_per_request: median(run.rounds.map((round) => round.cpu_us)),
    failed: run.rounds.reduce((sum, round) => sum + round.failed, 0),
    rounds: run.rounds,
  }));
  for (const row of rows) {
    const reference = rows.find((other) => other.scenario === REFERENCE && other.mode === row.mode);
    row.rps_vs_reference = reference === undefined ? null : row.rps / reference.rps;
  }
  const line = (cells) => `| ${cells.join(" | ")} |`;
  process.stdout.write(
    `\nClient APIs, ${settings.connections} connections, ${settings.seconds} s per scenario in ${settings.rounds} round(s) (${generator.name})\n\n`,
  );
  process.stdout.write(`${line(["scenario", "mode", "req/s", "p50 ms", "p99 ms", "CPU µs/req", `÷ ${REFERENCE}`, "failed"])}\n`);
  process.stdout.write(`${line(["---", "---", "---:", "---:", "---:", "---:", "---:", "---:"])}\n`);
  for (const row of rows) {
    const ratio = row.rps_vs_reference === null ? "" : `${Math.round(row.rps_vs_reference * 100)} %`;
    process.stdout.write(
      `${line([row.label, row.mode, Math.round(row.rps), row.p50_ms, row.p99_ms, Math.round(row.cpu_us_per_request), ratio, row.failed > 0 ? `!!! ${row.failed}` : 0])}\n`,
    );
  }
  const out = resolve(settings.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ finished_at: new Date().toISOString(), smoke: settings.smoke, connections: settings.connections, rows }, null, 2)}\n`);
  process.stdout.write(`\nJSON: ${out}\n`);
  if (rows.some((row) => row.failed > 0)) process.exitCode = 1;
}

process.on("exit", killAllChildrenNow);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    killAllChildrenNow();
    process.exit(130);
  });
}
main().catch((error) => {
  process.stderr.write(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  killAllChildrenNow();
  process.exit(1);
});
