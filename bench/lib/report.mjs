// Turns measurements into the printed tables and the targets' verdicts. Every
// target is a ratio between runs of the same invocation: absolute numbers swing
// ±25 % on a shared 2-core machine, ratios within one run much less.

const dash = "-";

function fixed(value, digits) {
  return Number.isFinite(value) ? value.toFixed(digits) : dash;
}

function grouped(value) {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : dash;
}

function table(header, rows) {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => String(row[column]).length)));
  const line = (cells) =>
    cells
      .map((cell, column) => String(cell).padEnd(widths[column]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

export function errorCount(run) {
  return run.non2xx + run.errors + run.timeouts;
}

export function loadTable(runs) {
  const header = ["target", "delay", "mode", "req/s", "p50 ms", "p99 ms", "errors", "CPU µs/req", "chunks", "µs/chunk", "RSS MB"];
  const rows = runs.map((run) => [
    run.label,
    `${run.delay_ms} ms`,
    run.mode,
    grouped(run.rps),
    fixed(run.p50_ms, 1),
    fixed(run.p99_ms, 1),
    errorCount(run) === 0 ? "0" : `${errorCount(run)} !!!`,
    fixed(run.cpu_us_per_request, 0),
    run.mode === "stream" ? String(run.chunks_per_response) : dash,
    run.mode === "stream" ? fixed(run.cpu_us_per_chunk, 1) : dash,
    fixed(run.rss_mb, 0),
  ]);
  return table(header, rows);
}

export function unloadedTable(unloaded) {
  const header = ["target", "mode", "p50 ms", "p99 ms", "added p50", "added p99", "TTFB p50", "TTFB p99", "added TTFB p50", "added TTFB p99", "failures"];
  const rows = unloaded.map((entry) => [
    entry.label,
    entry.mode,
    fixed(entry.p50_ms, 3),
    fixed(entry.p99_ms, 3),
    fixed(entry.added_p50_ms, 3),
    fixed(entry.added_p99_ms, 3),
    entry.mode === "stream" ? fixed(entry.ttfb_p50_ms, 3) : dash,
    entry.mode === "stream" ? fixed(entry.ttfb_p99_ms, 3) : dash,
    entry.mode === "stream" ? fixed(entry.added_ttfb_p50_ms, 3) : dash,
    entry.mode === "stream" ? fixed(entry.added_ttfb_p99_ms, 3) : dash,
    entry.failures === 0 ? "0" : `${entry.failures} !!!`,
  ]);
  return table(header, rows);
}

/** Fills in added latency (target minus direct) for every unloaded entry. */
export function addLatencyOverDirect(unloaded) {
  for (const entry of unloaded) {
    const floor = unloaded.find((candidate) => candidate.target === "direct" && candidate.mode === entry.mode);
    const minus = (key) => (floor === undefined ? Number.NaN : entry[key] - floor[key]);
    entry.added_p50_ms = minus("p50_ms");
    entry.added_p99_ms = minus("p99_ms");
    entry.added_ttfb_p50_ms = minus("ttfb_p50_ms");
    entry.added_ttfb_p99_ms = minus("ttfb_p99_ms");
  }
}

function verdict(name, measured, limit, passes, shown) {
  if (!Number.isFinite(measured)) return { name, measured: null, limit, verdict: "SKIP", shown: "not measured" };
  return { name, measured, limit, verdict: passes(measured) ? "PASS" : "FAIL", shown };
}

/** The performance targets (bench/README.md, "Targets"), each { name, measured, limit, verdict, shown }. */
export function evaluateTargets(runs, unloaded) {
  const load = (target, mode) => runs.find((run) => run.target === target && run.mode === mode && run.delay_ms === 0);
  const quiet = (target, mode) => unloaded.find((entry) => entry.target === target && entry.mode === mode);
  const ratio = (target, mode, key) => (load(target, mode)?.[key] ?? Number.NaN) / (load("bare", mode)?.[key] ?? Number.NaN);
  const percent = (value) => `${(value * 100).toFixed(1)} %`;
  const times = (value) => `${value.toFixed(2)}x`;
  const results = [];
  for (const mode of ["json", "stream"]) {
    const rps = ratio("embedded", mode, "rps");
    results.push(verdict(`embedded req/s ÷ bare proxy, ${mode}`, rps, "≥ 85 %", (value) => value >= 0.85, percent(rps)));
  }
  for (const mode of ["json", "stream"]) {
    const cpu = ratio("embedded", mode, "cpu_us_per_request");
    results.push(verdict(`embedded CPU/request ÷ bare proxy, ${mode}`, cpu, "≤ 1.20x", (value) => value <= 1.2, times(cpu)));
  }
  const addedOver = (mode, key) => (quiet("embedded", mode)?.[key] ?? Number.NaN) - (quiet("bare", mode)?.[key] ?? Number.NaN);
  const p50 = addedOver("json", "added_p50_ms");
  results.push(verdict("unloaded added p50 − bare proxy's, json", p50, "≤ 0.100 ms", (value) => value <= 0.1, `${p50.toFixed(3)} ms`));
  const ttfb = addedOver("stream", "added_ttfb_p50_ms");
  results.push(verdict("unloaded added TTFB p50 − bare proxy's, stream", ttfb, "≤ 0.100 ms", (value) => value <= 0.1, `${ttfb.toFixed(3)} ms`));
  const rss = Math.max(...runs.filter((run) => run.target === "embedded").map((run) => run.rss_mb));
  results.push(verdict("embedded RSS after load", rss, "≤ 200 MB", (value) => value <= 200, `${rss.toFixed(0)} MB`));
  for (const mode of ["json", "stream"]) {
    const rps = ratio("postgres", mode, "rps");
    results.push(verdict(`postgres+redis req/s ÷ bare proxy, ${mode}`, rps, "≥ 70 %", (value) => value >= 0.7, percent(rps)));
  }
  return results;
}

/**
 * Not targets: where Bentoo's cost starts. The fastify proxy does the bare
 * proxy's job on Bentoo's HTTP framework, reading the request body, with no
 * feature. The lean gateway (floor-gateway.mjs) adds the work Bentoo's
 * features need on every request, written plainly, so lean ÷ bare is the
 * least those features can cost and embedded ÷ lean what Bentoo's own code
 * adds to it.
 */
export function evaluateFloor(runs, unloaded) {
  const load = (target, mode) => runs.find((run) => run.target === target && run.mode === mode && run.delay_ms === 0);
  const quiet = (target, mode) => unloaded.find((entry) => entry.target === target && entry.mode === mode);
  const rows = [];
  for (const [target, base] of [
    ["fastify", "bare"],
    ["lean", "bare"],
    ["embedded", "lean"],
    ["lean-postgres", "bare"],
    ["postgres", "lean-postgres"],
  ]) {
    for (const mode of ["json", "stream"]) {
      const over = (key) => (load(target, mode)?.[key] ?? Number.NaN) / (load(base, mode)?.[key] ?? Number.NaN);
      const added = mode === "json" ? "added_p50_ms" : "added_ttfb_p50_ms";
      const latency = (quiet(target, mode)?.[added] ?? Number.NaN) - (quiet(base, mode)?.[added] ?? Number.NaN);
      rows.push({ comparison: `${target} ÷ ${base}`, mode, rps_ratio: over("rps"), cpu_ratio: over("cpu_us_per_request"), added_latency_ms: latency });
    }
  }
  return rows.filter((row) => Number.isFinite(row.rps_ratio) || Number.isFinite(row.added_latency_ms));
}

export function floorTable(rows) {
  return table(
    ["where the cost starts (not targets)", "mode", "req/s ratio", "CPU ratio", "added p50 / TTFB, ms"],
    rows.map((row) => [
      row.comparison,
      row.mode,
      Number.isFinite(row.rps_ratio) ? `${(row.rps_ratio * 100).toFixed(1)} %` : dash,
      Number.isFinite(row.cpu_ratio) ? `${row.cpu_ratio.toFixed(2)}x` : dash,
      Number.isFinite(row.added_latency_ms) ? `${row.added_latency_ms >= 0 ? "+" : ""}${row.added_latency_ms.toFixed(3)}` : dash,
    ]),
  );
}

export function targetsTable(targets) {
  return table(
    ["target", "measured", "limit", "verdict"],
    targets.map((target) => [target.name, target.shown, target.limit, target.verdict]),
  );
}

/** The three tables, the notes and the notices, as printed at the end of a run. */
export function printReport(results, log) {
  const { commit, uncommitted_changes: dirty, dist_built_at: builtAt } = results.build;
  log(
    `\nBuild: ${commit ?? "unknown commit"}${dirty ? " with uncommitted changes" : ""}, dist/ written ${builtAt ?? "?"}; machine: ${results.machine.cpus} CPUs, load average ${results.machine.loadavg[0].toFixed(2)} at the start`,
  );
  const rounds = results.options.rounds > 1 ? ` in ${results.options.rounds} rounds interleaved across the targets (medians shown)` : "";
  log(
    `Load: ${results.options.connections} connections, ${results.options.duration_s} s per scenario${rounds} after ${results.options.warmup_s} s warm-up per mode, ${results.load_generator.name} ${results.load_generator.version}`,
  );
  log(loadTable(results.runs));
  log(
    `\nUnloaded: one keep-alive connection, ${results.options.sequential_requests} sequential requests after ${results.options.sequential_warmup}, targets interleaved in slices of 100; added = target − direct`,
  );
  log(unloadedTable(results.unloaded));
  log("");
  log(targetsTable(results.targets));
  if (results.floor.length > 0) log(`\n${floorTable(results.floor)}`);
  // On an idle machine the fastify floor costs about what the bare proxy does; far more means
  // other work shared the cores during the run, and every ratio above is suspect.
  const busy = results.floor.filter((row) => row.comparison === "fastify ÷ bare" && row.cpu_ratio > 1.3);
  if (busy.length > 0)
    log(
      `\nNote: the fastify floor cost ${busy.map((row) => `${row.cpu_ratio.toFixed(2)}x (${row.mode})`).join(" and ")} the bare proxy's CPU; on an idle machine it is about 1.0-1.2x. Other work probably shared the cores: rerun before trusting the ratios.`,
    );
  // The fastify proxy does everything the bare one does and more: cheaper means the bare proxy's
  // rounds were the disturbed ones, and every ratio to it flatters what is compared.
  const inflated = results.floor.filter((row) => row.comparison === "fastify ÷ bare" && row.cpu_ratio < 0.9);
  if (inflated.length > 0)
    log(
      `\nNote: the fastify floor cost only ${inflated.map((row) => `${row.cpu_ratio.toFixed(2)}x (${row.mode})`).join(" and ")} the bare proxy's CPU, though it does more: the bare proxy's own rounds were disturbed, and ratios to it look better than they are. Rerun before trusting them.`,
    );
  if (results.notes.length > 0) log(`\n${results.notes.join("\n")}`);
  for (const notice of [...results.notices, ...results.failures.map((failure) => `FAILED ${failure.target} (${failure.delay_ms} ms): ${failure.message}`)])
    log(`\nNote: ${notice}`);
}
