#!/usr/bin/env node
// Bentoo's benchmark: the fake upstream alone, a bare undici proxy,
// the same proxy on fastify (the framework floor), a lean gateway doing the work of Bentoo's
// features (the feature floor), and Bentoo (SQLite + memory, then Postgres + Redis), all measured in one run
// so that ratios between them hold on a noisy machine. See bench/README.md.
// A report, not a test: exits 0 when targets fail, non-zero only when a
// scenario could not run at all.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cpuMicros, killAllChildrenNow, memoryMegabytes, stopAllChildren } from "./lib/children.mjs";
import { build, checkBuilt, machine, postgresSettings } from "./lib/environment.mjs";
import { selectLoadGenerator } from "./lib/load-generator.mjs";
import { parseOptions, USAGE, UsageError } from "./lib/options.mjs";
import { addLatencyOverDirect, errorCount, evaluateFloor, evaluateTargets, printReport } from "./lib/report.mjs";
import { probeTarget, SequentialProbe } from "./lib/sequential-client.mjs";
import { measureSurfaces, surfacesTable } from "./lib/surfaces.mjs";
import { requestBody, startUpstream, targetsFor } from "./lib/targets.mjs";

const benchDirectory = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = resolve(benchDirectory, "..");

const UNLOADED_BUDGET_MS = 240_000;
const stops = new Set(); // targets and upstreams running now, stopped on any exit path
let workDirectory = null; // logs, catalogs and SQLite files of this run

function log(line) {
  process.stdout.write(`${line}\n`);
}

function loud(line) {
  process.stdout.write(`\n!!! ${line}\n\n`);
}

async function stopTracked(stop) {
  stops.delete(stop);
  await stop();
}

function loadRequest(instance, options, mode) {
  return { url: instance.url, headers: instance.headers, body: requestBody(mode), connections: options.connections };
}

/**
 * Checks that the target answers both kinds of request, then warms it with
 * both before either is measured (a fresh process's JIT would otherwise tax
 * whichever mode comes first). Returns the SSE events per streamed answer.
 */
async function probeAndWarm(generator, options, instance) {
  const chunks = await probeTarget(loadRequest(instance, options, "stream"));
  await probeTarget(loadRequest(instance, options, "json"));
  for (const mode of ["json", "stream"]) await generator.run({ ...loadRequest(instance, options, mode), seconds: options.warmupSeconds });
  return chunks;
}

/** A timed load run of `seconds` with the measured process's CPU read around it. */
async function loadRun(generator, options, instance, upstream, mode, chunks, seconds) {
  const request = loadRequest(instance, options, mode);
  const before = { target: cpuMicros(instance.pid), upstream: cpuMicros(upstream.pid), own: process.cpuUsage() };
  const result = await generator.run({ ...request, seconds });
  const cpu = (cpuMicros(instance.pid) - before.target) / result.requests;
  const upstreamCpu = (cpuMicros(upstream.pid) - before.upstream) / result.requests;
  const own = process.cpuUsage(before.own);
  // autocannon runs in this process, so its share of the machine shows here; wrk's is not measured.
  const generatorCpu = generator.inProcess ? (own.user + own.system) / result.requests : null;
  return {
    mode,
    connections: options.connections,
    seconds: result.seconds,
    requests: result.requests,
    rps: result.rps,
    p50_ms: result.p50Ms,
    p99_ms: result.p99Ms,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    cpu_us_per_request: cpu,
    upstream_cpu_us_per_request: upstreamCpu,
    load_generator_cpu_us_per_request: generatorCpu,
    chunks_per_response: mode === "stream" ? chunks : null,
    cpu_us_per_chunk: mode === "stream" && chunks > 0 ? cpu / chunks : null,
  };
}

async function startTarget(target, upstream, context) {
  const instance = await target.start(upstream, context);
  stops.add(instance.stop);
  if (instance.profile) {
    const skip = ((Date.now() - instance.profile.startedAt) / 1000).toFixed(1);
    instance.notes.push(
      `CPU profile (load began after ${skip} s): node bench/profile-summary.mjs ${relative(process.cwd(), instance.profile.path)} --skip ${skip}`,
    );
  }
  return instance;
}

function median(values) {
  const sorted = values.filter((value) => value !== null && Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const MEDIAN_FIELDS = ["rps", "p50_ms", "p99_ms", "cpu_us_per_request", "upstream_cpu_us_per_request", "load_generator_cpu_us_per_request", "cpu_us_per_chunk"];
const SUMMED_FIELDS = ["seconds", "requests", "non2xx", "errors", "timeouts"];

/** One scenario's rounds as one run: medians of the rates, percentiles and CPU; sums of the counts; each round kept. */
function combineRounds(rounds) {
  const combined = { ...rounds[0] };
  for (const field of MEDIAN_FIELDS) combined[field] = median(rounds.map((round) => round[field]));
  for (const field of SUMMED_FIELDS) combined[field] = rounds.reduce((sum, round) => sum + round[field], 0);
  combined.rounds = rounds.map((round) => ({ rps: round.rps, p50_ms: round.p50_ms, p99_ms: round.p99_ms, cpu_us_per_request: round.cpu_us_per_request }));
  return combined;
}

/**
 * The load scenarios of every live target, in `options.rounds` rounds: each
 * round loads each target in turn (in reverse order every other round), JSON
 * then stream, for its share of `--duration`. Load from other work on this
 * machine comes and goes over minutes; interleaved, it falls on every target
 * alike instead of on whichever ran at a bad moment, and the medians keep a
 * single bad round out of the ratios. A target that fails a round drops out.
 */
async function measureLoad(live, delayMs, upstream, context, results) {
  const { options, generator } = context;
  const seconds = options.durationSeconds / options.rounds;
  const rounds = new Map(live.map((entry) => [entry, { json: [], stream: [] }]));
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? live : [...live].reverse();
    for (const mode of ["json", "stream"]) {
      for (const entry of order) {
        if (entry.instance.failed) continue;
        try {
          rounds.get(entry)[mode].push(await loadRun(generator, options, entry.instance, upstream, mode, entry.chunks, seconds));
        } catch (error) {
          entry.instance.failed = true;
          recordFailure(results, entry.target, delayMs, error);
        }
      }
    }
  }
  for (const entry of live) {
    if (entry.instance.failed) continue;
    const memory = memoryMegabytes(entry.instance.pid);
    for (const mode of ["json", "stream"]) {
      const run = {
        target: entry.target.id,
        label: entry.target.label,
        delay_ms: delayMs,
        ...combineRounds(rounds.get(entry)[mode]),
        rss_mb: memory.rss,
        peak_rss_mb: memory.peak,
      };
      results.runs.push(run);
      const each = run.rounds.length > 1 ? ` (rounds: ${run.rounds.map((one) => Math.round(one.rps)).join(", ")})` : "";
      log(
        `  ${entry.target.label}, ${delayMs} ms, ${mode}: ${Math.round(run.rps)} req/s${each}, p50 ${run.p50_ms} ms, p99 ${run.p99_ms} ms, ${run.cpu_us_per_request.toFixed(0)} µs CPU/request`,
      );
      if (errorCount(run) > 0) loud(`${entry.target.label} ${mode}: ${run.non2xx} non-2xx, ${run.errors} errors, ${run.timeouts} timeouts`);
    }
  }
}

/** Credits charged (while it runs), then stop it, then what it logged; all of it goes into the notes. */
async function finishTarget(target, instance, delayMs, results) {
  try {
    if (instance.afterLoad && !instance.failed) {
      const spent = await instance.afterLoad().catch(() => null);
      instance.notes.push(spent === null ? "credits: balance unknown" : `credits charged so far: ${spent} micro-USD`);
    }
  } finally {
    try {
      await stopTracked(instance.stop);
    } catch (error) {
      recordFailure(results, target, delayMs, error);
    }
    const warnings = instance.logWarnings?.();
    if (warnings && warnings.count > 0) {
      instance.notes.push(`WARNING: the gateway logged ${warnings.count} warnings or errors: ${warnings.summary}`);
      loud(`${target.label} (${delayMs} ms) logged ${warnings.count} warnings or errors: ${warnings.summary}`);
    }
    for (const note of instance.notes) log(`  [${target.id}] ${note}`);
    results.notes.push(...instance.notes.map((note) => `${target.label}, ${delayMs} ms: ${note}`));
  }
}

/**
 * Unloaded latency of every live target, interleaved in slices of 100
 * requests (JSON and stream, target after target) so that a burst of other
 * work on the machine does not land on one target only.
 */
async function measureUnloaded(alive, options, results) {
  const probes = alive.flatMap(({ target, instance }) =>
    ["json", "stream"].map((mode) => ({ target, mode, probe: new SequentialProbe({ url: instance.url, headers: instance.headers, body: requestBody(mode) }) })),
  );
  const deadline = Date.now() + UNLOADED_BUDGET_MS;
  try {
    for (const { probe } of probes) await probe.warm(options.sequentialWarmup, deadline);
    const slices = Math.ceil(options.sequentialRequests / 100);
    for (let slice = 0; slice < slices; slice++) {
      const count = Math.min(100, options.sequentialRequests - slice * 100);
      for (const { probe } of probes) await probe.measure(count, deadline);
    }
  } finally {
    await Promise.all(probes.map(({ probe }) => probe.close()));
  }
  if (Date.now() >= deadline) loud(`unloaded latency stopped after its ${UNLOADED_BUDGET_MS / 1000} s budget; see the counts in the JSON`);
  for (const { target, mode, probe } of probes) {
    const summary = probe.summary();
    results.unloaded.push({
      target: target.id,
      label: target.label,
      mode,
      count: summary.count,
      failures: summary.failures,
      p50_ms: summary.p50Ms,
      p99_ms: summary.p99Ms,
      ttfb_p50_ms: summary.ttfbP50Ms,
      ttfb_p99_ms: summary.ttfbP99Ms,
    });
    if (summary.failures > 0) loud(`${target.label} ${mode} unloaded: ${summary.failures} failed requests`);
  }
}

function recordFailure(results, target, delayMs, error) {
  const message = error instanceof Error ? error.message : String(error);
  results.failures.push({ target: target.id, delay_ms: delayMs, message });
  loud(`${target.label} could not run: ${message}\n(logs in ${workDirectory})`);
}

/**
 * One upstream delay: every target is started and warmed, then loaded in
 * interleaved rounds (measureLoad); with no delay, the unloaded latency is
 * measured next, on the same processes.
 */
async function runPhase(delayMs, context, results) {
  log(`\nUpstream delay ${delayMs} ms`);
  const upstream = await startUpstream(delayMs, context);
  stops.add(upstream.stop);
  const live = [];
  try {
    for (const target of targetsFor(context, context.options.only)) {
      let instance = null;
      try {
        instance = await startTarget(target, upstream, context);
        live.push({ target, instance, chunks: await probeAndWarm(context.generator, context.options, instance) });
      } catch (error) {
        recordFailure(results, target, delayMs, error);
        if (instance !== null) {
          instance.failed = true;
          await finishTarget(target, instance, delayMs, results);
        }
      }
    }
    await measureLoad(live, delayMs, upstream, context, results);
    if (delayMs === 0) await measureSurfaces(live, delayMs, context, results, log);
    const alive = live.filter(({ instance }) => !instance.failed);
    if (delayMs === 0 && alive.length > 0) await measureUnloaded(alive, context.options, results);
  } catch (error) {
    recordFailure(results, { id: "unloaded", label: "unloaded latency" }, delayMs, error);
  } finally {
    for (const { target, instance } of live) await finishTarget(target, instance, delayMs, results);
    await stopTracked(upstream.stop);
  }
}

/** Every run is bounded: past a generous estimate of its length, stop everything and fail. */
function startWatchdog(options, context) {
  const targets = targetsFor(context, options.only).length;
  const perTarget = 2 * (options.warmupSeconds + options.durationSeconds + 15 + options.rounds) + 60;
  const limitSeconds = Math.ceil(options.delaysMs.length * targets * perTarget + UNLOADED_BUDGET_MS / 1000 + 120);
  return setTimeout(() => {
    loud(`the benchmark ran past its ${limitSeconds} s bound; stopping everything`);
    void interrupt("watchdog", 1);
  }, limitSeconds * 1000).unref();
}

async function main() {
  const options = parseOptions(process.argv.slice(2), process.env);
  if (options.help) return void log(USAGE);
  checkBuilt(repositoryRoot);
  workDirectory = mkdtempSync(join(tmpdir(), "bentoo-bench-"));
  const profileDirectory = options.profile ? resolve("bench/results/profiles") : null;
  if (profileDirectory !== null) mkdirSync(profileDirectory, { recursive: true });
  const notices = [];
  const generator = await selectLoadGenerator(options.loadGenerator, workDirectory);
  const context = {
    options,
    generator,
    benchDirectory,
    repositoryRoot,
    workDirectory,
    logDirectory: workDirectory,
    profileDirectory,
    postgres: await postgresSettings(options, notices),
  };
  const results = {
    started_at: new Date().toISOString(),
    machine: machine(),
    build: build(repositoryRoot),
    load_generator: { name: generator.name, version: generator.version },
    options: {
      connections: options.connections,
      duration_s: options.durationSeconds,
      rounds: options.rounds,
      warmup_s: options.warmupSeconds,
      sequential_requests: options.sequentialRequests,
      sequential_warmup: options.sequentialWarmup,
      delays_ms: options.delaysMs,
      smoke: options.smoke,
    },
    runs: [],
    surfaces: [],
    unloaded: [],
    targets: [],
    floor: [],
    notes: [],
    notices,
    failures: [],
  };
  const watchdog = startWatchdog(options, context);
  for (const notice of notices) log(`Note: ${notice}`);
  if (results.machine.loadavg[0] > results.machine.cpus / 2)
    log(`Note: load average ${results.machine.loadavg[0].toFixed(2)} before the run; other work perturbs absolute numbers (compare the ratios).`);
  try {
    for (const delayMs of options.delaysMs) await runPhase(delayMs, context, results);
  } finally {
    for (const stop of [...stops]) await stopTracked(stop).catch(() => undefined);
    await stopAllChildren();
    clearTimeout(watchdog);
  }
  addLatencyOverDirect(results.unloaded);
  results.targets = evaluateTargets(results.runs, results.unloaded);
  results.floor = evaluateFloor(results.runs, results.unloaded);
  results.finished_at = new Date().toISOString();
  results.machine.loadavg_after = loadavg();
  printReport(results, log);
  if (results.surfaces.length > 0) log(`\n${surfacesTable(results.surfaces)}`);
  const out = resolve(options.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  log(`\nJSON: ${out}`);
  const unusable = results.runs.filter((run) => run.requests - errorCount(run) <= 0);
  if (results.failures.length > 0 || unusable.length > 0) {
    log(`Keeping the logs of the failed run in ${workDirectory}`);
    process.exitCode = 1;
  } else {
    rmSync(workDirectory, { recursive: true, force: true });
  }
}

// Clean-up on every exit path: children never outlive the benchmark.
let interrupted = false;
async function interrupt(reason, exitCode = 130) {
  if (interrupted) process.exit(exitCode);
  interrupted = true;
  process.stderr.write(`\n${reason}: stopping the benchmark's processes…\n`);
  const deadline = setTimeout(() => process.exit(exitCode), 10_000);
  for (const stop of [...stops]) await stopTracked(stop).catch(() => undefined);
  await stopAllChildren(1000);
  clearTimeout(deadline);
  if (workDirectory !== null) process.stderr.write(`The run's logs are in ${workDirectory}\n`);
  process.exit(exitCode);
}
process.on("SIGINT", () => void interrupt("SIGINT"));
process.on("SIGTERM", () => void interrupt("SIGTERM"));
process.on("exit", killAllChildrenNow);

main().catch((error) => {
  process.stderr.write(
    error instanceof UsageError
      ? `${error.message}\n\n${USAGE}`
      : `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  killAllChildrenNow();
  process.exit(error instanceof UsageError ? 2 : 1);
});
