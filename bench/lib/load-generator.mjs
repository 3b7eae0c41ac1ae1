// The load generator behind one interface: autocannon (in this process; the
// orchestrator is otherwise idle while it runs) or wrk (a C binary, lighter on
// a 2-core machine). `inProcess` says whether its CPU is this process's. Both
// return the same summary:
// { requests, seconds, rps, p50Ms, p99Ms, non2xx, errors, timeouts }.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { adoptChild } from "./children.mjs";

const require = createRequire(import.meta.url);

/**
 * `preference` is "autocannon", "wrk" or undefined (autocannon when installed,
 * else wrk). Throws with what to install when neither is available.
 */
export async function selectLoadGenerator(preference, workDirectory) {
  if (preference !== "wrk") {
    const autocannon = await loadAutocannon();
    if (autocannon !== null) return autocannon;
    if (preference === "autocannon") throw new Error("autocannon is not installed: npm install --save-dev autocannon@8.0.0");
  }
  const version = wrkVersion();
  if (version !== null) return wrkGenerator(version, workDirectory);
  throw new Error("no load generator: install autocannon (npm install --save-dev autocannon@8.0.0) or wrk (apt-get install wrk)");
}

async function loadAutocannon() {
  let run;
  try {
    run = (await import("autocannon")).default;
  } catch {
    return null;
  }
  const { version } = JSON.parse(readFileSync(require.resolve("autocannon/package.json"), "utf8"));
  return {
    name: "autocannon",
    version,
    inProcess: true,
    async run({ url, headers, body, connections, seconds }) {
      const result = await run({ url, method: "POST", headers, body, connections, duration: seconds, pipelining: 1, timeout: 10 });
      return {
        requests: result.requests.total,
        seconds: result.duration,
        rps: result.requests.total / result.duration,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
      };
    },
  };
}

function wrkVersion() {
  const probe = spawnSync("wrk", ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined) return null;
  return /wrk (\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? "unknown";
}

// wrk's `errors.status` counts HTTP statuses above 399; `done` prints one JSON line.
function wrkScript(headers, body) {
  if (body.includes("]==]")) throw new Error("the request body cannot be embedded in a Lua long string");
  const headerLines = Object.entries(headers).map(([name, value]) => `wrk.headers[${JSON.stringify(name)}] = ${JSON.stringify(value)}`);
  return `wrk.method = "POST"
wrk.body = [==[${body}]==]
${headerLines.join("\n")}
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH_RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
`;
}

function wrkGenerator(version, workDirectory) {
  let scripts = 0;
  return {
    name: "wrk",
    version,
    inProcess: false,
    async run({ url, headers, body, connections, seconds }) {
      const scriptPath = join(workDirectory, `wrk-${++scripts}.lua`);
      writeFileSync(scriptPath, wrkScript(headers, body));
      const args = ["-t", "1", "-c", String(connections), "-d", `${Math.max(1, Math.round(seconds))}s`, "--timeout", "10s", "-s", scriptPath, url];
      const output = await runBounded("wrk", args, (seconds + 20) * 1000);
      const line = output.split("\n").find((entry) => entry.startsWith("BENCH_RESULT "));
      if (line === undefined) throw new Error(`wrk printed no result:\n${output}`);
      const result = JSON.parse(line.slice("BENCH_RESULT ".length));
      const elapsed = result.duration_us / 1e6;
      return {
        requests: result.requests,
        seconds: elapsed,
        rps: result.requests / elapsed,
        p50Ms: result.p50_us / 1000,
        p99Ms: result.p99_us / 1000,
        non2xx: result.status,
        errors: result.connect + result.read + result.write,
        timeouts: result.timeout,
      };
    },
  };
}

/** Runs a command, killing it when it outlives `timeoutMs`; resolves with stdout and stderr. */
function runBounded(command, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    adoptChild(command, child);
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${command} ended with ${code ?? signal}:\n${output}`));
    });
  });
}
