#!/usr/bin/env node
// A/B comparison of builds (bench/README.md, "Comparing builds"): the same
// Bentoo target from two or more checkouts, each built, loaded in alternating
// rounds against one fake upstream, with the CPU per request split by thread.
// On this shared machine the speed of one build drifts by a third within
// minutes, so a change is judged by paired rounds (A then B, B then A, ...),
// not by two runs minutes apart. A report, not a test.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { killAllChildrenNow, mainThreadUserMicros, memoryMegabytes, stopAllChildren, threadCpuMicros } from "./lib/children.mjs";
import { postgresSettings } from "./lib/environment.mjs";
import { selectLoadGenerator } from "./lib/load-generator.mjs";
import { defaultServiceUrls } from "./lib/options.mjs";
import { routeFor } from "./lib/routes.mjs";
import { requestBody, startUpstream, targetsFor } from "./lib/targets.mjs";

const benchDirectory = dirname(fileURLToPath(import.meta.url));
const USAGE = `usage: node bench/compare.mjs --build A=<checkout> --build B=<checkout> [options]

Each checkout must be built (npx tsc -b). Options:
  --target <id>        embedded (default), postgres, bare, fastify, lean or lean-postgres
  --mode <m>           json (default) or stream
  --route <id>         what Bentoo is loaded with (repeatable; every build × route is measured in the same rounds):
                       chat (default: Chat Completions passthrough), chat-anthropic, chat-gemini (translated),
                       messages (Messages passthrough), messages-openai (translated);
                       bench/lib/routes.mjs lists them. Only the embedded and postgres targets take routes.
  --rounds <n>         alternating rounds (default 6)
  --seconds <s>        load per target per round (default 5)
  --warmup <s>         untimed load per target before the rounds (default 3)
  --connections <n>    concurrent connections (default 50)
  --rate <n>           fixed requests/s (autocannon's overallRate); 0 = as fast as possible (default)
  --upstream-delay <ms> the fake upstream's delay (default 0)
  --with <ids>         reference targets measured in the same rounds, e.g. bare,fastify,lean
  --keep-logs          keep the targets' logs (their directory is printed)
  --profile <dir>      run the builds and the feature floors (lean, lean-postgres) under --cpu-prof,
                       writing their profiles to <dir> (bench/profile-summary.mjs --stages reads them)`;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      build: { type: "string", multiple: true, default: [] },
      target: { type: "string", default: "embedded" },
      mode: { type: "string", default: "json" },
      route: { type: "string", multiple: true, default: [] },
      rounds: { type: "string", default: "6" },
      seconds: { type: "string", default: "5" },
      warmup: { type: "string", default: "3" },
      connections: { type: "string", default: "50" },
      rate: { type: "string", default: "0" },
      "upstream-delay": { type: "string", default: "0" },
      with: { type: "string", default: "" },
      "keep-logs": { type: "boolean", default: false },
      profile: { type: "string", default: "" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const builds = values.build.map((entry) => {
    const at = entry.indexOf("=");
    if (at < 1) throw new Error(`--build takes NAME=<checkout>, got ${entry}\n${USAGE}`);
    return { name: entry.slice(0, at), root: resolve(entry.slice(at + 1)) };
  });
  if (builds.length < 1) throw new Error(USAGE);
  if (!["json", "stream"].includes(values.mode)) throw new Error(`--mode must be json or stream\n${USAGE}`);
  const number = (name) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number ≥ 0`);
    return value;
  };
  const routes = values.route.length === 0 ? ["chat"] : values.route;
  for (const id of routes) {
    const route = routeFor(id);
    if (route.modes !== undefined && !route.modes.includes(values.mode)) throw new Error(`--route ${id} takes --mode ${route.modes.join(" or ")}\n${USAGE}`);
  }
  if (!["embedded", "postgres"].includes(values.target) && routes.some((id) => id !== "chat"))
    throw new Error(`--route needs --target embedded or postgres\n${USAGE}`);
  return {
    builds,
    routes,
    target: values.target,
    mode: values.mode,
    rounds: Math.max(1, Math.round(number("rounds"))),
    seconds: number("seconds"),
    warmup: number("warmup"),
    connections: Math.max(1, Math.round(number("connections"))),
    rate: number("rate"),
    upstreamDelay: number("upstream-delay"),
    references: values.with.split(",").filter(Boolean),
    keepLogs: values["keep-logs"],
    profileDirectory: values.profile === "" ? null : resolve(values.profile),
  };
}

/**
 * Per-request CPU between two readings: the main thread, the busiest other
 * thread (under load, the SQLite writer thread in embedded mode), and the rest
 * (V8's garbage collection and compiler helpers, libuv's pool). Node 20 names
 * every thread "node", so they are told apart by their share only.
 */
function cpuSplit(pid, before, after, requests) {
  const split = { total: 0, main: 0, busiest: 0, rest: 0 };
  for (const [tid, micros] of after) {
    const used = (micros - (before.get(tid) ?? 0)) / requests;
    split.total += used;
    if (tid === String(pid)) split.main += used;
    else {
      split.rest += used;
      split.busiest = Math.max(split.busiest, used);
    }
  }
  split.rest -= split.busiest;
  return split;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const workDirectory = mkdtempSync(join(tmpdir(), "bentoo-compare-"));
  const generator = await selectLoadGenerator(undefined, workDirectory);
  const run = generator.run.bind(generator);
  const notices = [];
  const postgres = options.target === "postgres" ? await postgresSettings({ postgres: true, ...defaultServiceUrls() }, notices) : null;
  if (options.target === "postgres" && postgres === null) throw new Error(notices.join("\n"));
  if (options.profileDirectory !== null) mkdirSync(options.profileDirectory, { recursive: true });
  const baseContext = { benchDirectory, workDirectory, logDirectory: workDirectory, profileDirectory: options.profileDirectory, postgres };
  const upstream = await startUpstream(options.upstreamDelay, baseContext);
  const entries = [];
  let loadBegan = Date.now();
  try {
    for (const build of options.builds) {
      const context = { ...baseContext, repositoryRoot: build.root };
      const target = targetsFor(context, [options.target]).find((candidate) => candidate.id === options.target);
      if (target === undefined) throw new Error(`unknown --target ${options.target}`);
      const instance = await target.start(upstream, context);
      for (const id of options.routes) {
        const route = routeFor(id);
        const name = options.routes.length === 1 ? build.name : `${build.name}:${id}`;
        const url = instance.baseUrl === undefined ? instance.url : `${instance.baseUrl}${route.path}`;
        entries.push({ build: { ...build, name }, instance, url, body: route.body(options.mode), rounds: [] });
      }
    }
    for (const id of options.references) {
      const context = { ...baseContext, repositoryRoot: dirname(benchDirectory) };
      const target = targetsFor(context, [id]).find((candidate) => candidate.id === id);
      if (target === undefined) throw new Error(`unknown reference target ${id}`);
      const instance = await target.start(upstream, context);
      entries.push({ build: { name: id }, instance, url: instance.url, body: requestBody(options.mode), rounds: [] });
    }
    const load = (entry, seconds) => {
      const request = { url: entry.url, headers: entry.instance.headers, body: entry.body, connections: options.connections, seconds };
      return options.rate > 0 ? runAtRate(request, options.rate) : run(request);
    };
    if (options.mode === "stream") for (const entry of entries) entry.events = await streamEvents(entry);
    loadBegan = Date.now();
    for (const entry of entries) if (options.warmup > 0) await load(entry, options.warmup);
    for (let round = 0; round < options.rounds; round++) {
      const order = round % 2 === 0 ? entries : [...entries].reverse();
      for (const entry of order) {
        const before = threadCpuMicros(entry.instance.pid);
        const userBefore = mainThreadUserMicros(entry.instance.pid);
        const result = await load(entry, options.seconds);
        const cpu = cpuSplit(entry.instance.pid, before, threadCpuMicros(entry.instance.pid), result.requests);
        // The main thread's user time is its JavaScript and Node's own work; its system time is mostly the sockets' syscalls.
        cpu.mainUser = (mainThreadUserMicros(entry.instance.pid) - userBefore) / result.requests;
        if (result.non2xx + result.errors + result.timeouts > 0)
          console.log(`!!! ${entry.build.name}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
        entry.rounds.push({ rps: result.rps, p99: result.p99Ms, ...cpu });
        console.log(
          `round ${round + 1} ${entry.build.name.padEnd(22)} ${result.rps.toFixed(0).padStart(6)} req/s  p99 ${String(result.p99Ms).padStart(4)} ms  cpu ${cpu.total.toFixed(1).padStart(6)} µs/req (main ${cpu.main.toFixed(1)}, of it user ${cpu.mainUser.toFixed(1)}, busiest other ${cpu.busiest.toFixed(1)}, rest ${cpu.rest.toFixed(1)})`,
        );
      }
    }
    console.log(
      `\n${options.target}, ${options.mode}, ${options.connections} connections, ${options.rate > 0 ? `${options.rate} req/s` : "max rate"}, ${options.rounds} rounds of ${options.seconds} s; medians:`,
    );
    const [first] = entries;
    for (const entry of entries) {
      const m = (field) => median(entry.rounds.map((round) => round[field]));
      const perChunk = entry.events === undefined ? "" : `, ${(m("total") / entry.events).toFixed(2)} µs/chunk over ${entry.events} events`;
      let line = `${entry.build.name.padEnd(22)} ${m("rps").toFixed(0).padStart(6)} req/s  cpu ${m("total").toFixed(1)} µs/req${perChunk} (main ${m("main").toFixed(1)}, of it user ${m("mainUser").toFixed(1)}, busiest other ${m("busiest").toFixed(1)}, rest ${m("rest").toFixed(1)})  RSS ${memoryMegabytes(entry.instance.pid).rss.toFixed(0)} MB`;
      if (entry !== first) {
        const ratios = (field) => entry.rounds.map((round, index) => round[field] / first.rounds[index][field]);
        const cpuRatios = ratios("total");
        const mainRatios = ratios("main");
        line += `\n${"".padEnd(22)} vs ${first.build.name}: cpu ×${median(cpuRatios).toFixed(3)} (lower in ${cpuRatios.filter((r) => r < 1).length}/${cpuRatios.length}), main ×${median(mainRatios).toFixed(3)}, req/s ×${median(ratios("rps")).toFixed(3)}`;
      }
      console.log(line);
    }
  } finally {
    for (const instance of new Set(entries.map((entry) => entry.instance))) await instance.stop().catch(() => undefined);
    await upstream.stop();
    await stopAllChildren(0);
    if (options.profileDirectory !== null) {
      for (const entry of entries)
        if (entry.instance.profile)
          console.log(
            `profile of ${entry.build.name}: ${entry.instance.profile.path} (load began ${((loadBegan - entry.instance.profile.startedAt) / 1000).toFixed(1)} s after its start)`,
          );
    }
    if (options.keepLogs) console.log(`logs: ${workDirectory}`);
    else rmSync(workDirectory, { recursive: true, force: true });
  }
}

/** The SSE events of one streamed answer of the entry's route, as its client gets them. */
async function streamEvents(entry) {
  const response = await fetch(entry.url, { method: "POST", headers: entry.instance.headers, body: entry.body, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${entry.build.name} answered ${response.status}: ${text.slice(0, 300)}`);
  return text.split("\n\n").filter((event) => event.trim() !== "").length;
}

/** A fixed request rate (autocannon only): CPU per request compares best when both builds do the same work per second. */
async function runAtRate(request, rate) {
  const autocannon = (await import("autocannon")).default;
  const result = await autocannon({
    url: request.url,
    method: "POST",
    headers: request.headers,
    body: request.body,
    connections: request.connections,
    duration: request.seconds,
    overallRate: rate,
    timeout: 10,
  });
  return {
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

process.on("exit", killAllChildrenNow);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));
main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
