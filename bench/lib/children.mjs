// Child processes of a benchmark run: started with their output in a log file
// (never a pipe, which would fill up and stall a busy child, and would cost the
// orchestrator CPU), ready when a line matches, and always stopped at the end.
// Also reads a process's CPU time and memory from /proc, which is how the
// benchmark charges CPU to exactly one process.
import { execFileSync, spawn } from "node:child_process";
import { closeSync, existsSync, openSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const running = new Set();

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

function lastLines(text, count = 30) {
  return text.trimEnd().split("\n").slice(-count).join("\n");
}

/**
 * Starts `node <args>` and resolves once its output matches `readyPattern`
 * (the match is returned as `handle.ready`). Rejects, after killing the child,
 * when it exits first or is not ready within `timeoutMs`.
 */
export async function startChild({ name, args, env = process.env, cwd, logDirectory, readyPattern, timeoutMs = 30_000 }) {
  let logPath = join(logDirectory, `${name}.log`);
  for (let copy = 2; existsSync(logPath); copy++) logPath = join(logDirectory, `${name}-${copy}.log`);
  const logFd = openSync(logPath, "w");
  const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  const handle = adoptChild(name, child);
  handle.logPath = logPath;

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const output = readFileSync(logPath, "utf8");
    const match = readyPattern.exec(output);
    if (match !== null) {
      handle.ready = match;
      return handle;
    }
    if (handle.exited) throw new Error(`${name} exited (${handle.exitStatus}) before it was ready; its output:\n${lastLines(output)}`);
    await sleep(50);
  }
  await stopChild(handle, 0);
  throw new Error(`${name} was not ready after ${timeoutMs / 1000} s; its output:\n${lastLines(readFileSync(logPath, "utf8"))}`);
}

/** Tracks a spawned process so that clean-up stops it; returns its handle. */
export function adoptChild(name, child) {
  const handle = { name, pid: child.pid, child, logPath: null, exited: false, exitStatus: null, ready: null };
  handle.exitedPromise = new Promise((resolve) => {
    const finish = (status) => {
      handle.exited = true;
      handle.exitStatus ??= status;
      running.delete(handle);
      resolve();
    };
    child.once("exit", (code, signal) => finish(code ?? signal));
    child.once("error", (error) => finish(error.message)); // e.g. a spawn that failed: no "exit" follows
  });
  running.add(handle);
  return handle;
}

/** SIGTERM, then SIGKILL after `graceMs` (a graceful exit lets `--cpu-prof` write its profile). */
export async function stopChild(handle, graceMs = 5000) {
  if (handle.exited) return;
  handle.child.kill(graceMs > 0 ? "SIGTERM" : "SIGKILL");
  const outcome = await Promise.race([handle.exitedPromise.then(() => "exited"), sleep(graceMs).then(() => "timeout")]);
  if (outcome === "timeout") {
    handle.child.kill("SIGKILL");
    await handle.exitedPromise;
  }
}

export async function stopAllChildren(graceMs = 5000) {
  await Promise.all([...running].map((handle) => stopChild(handle, graceMs)));
}

/** Synchronous last resort for process "exit": nothing may outlive the benchmark. */
export function killAllChildrenNow() {
  for (const handle of running) {
    try {
      process.kill(handle.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** User + system CPU time in a /proc stat line, in microseconds. */
function statCpuMicros(stat) {
  // Fields after the parenthesised command name start at field 3 (state); utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / CLOCK_TICKS_PER_SECOND;
}

/** The user CPU time (not the kernel's, in syscalls) of a process's main thread, in microseconds. */
export function mainThreadUserMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8");
  return (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[11]) * 1_000_000) / CLOCK_TICKS_PER_SECOND;
}

/** User + system CPU time of a process (all its threads), in microseconds. */
export function cpuMicros(pid) {
  return statCpuMicros(readFileSync(`/proc/${pid}/stat`, "utf8"));
}

/** CPU time of each thread of a process, in microseconds, by thread id (a string). */
export function threadCpuMicros(pid) {
  const threads = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.set(tid, statCpuMicros(readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8")));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return threads;
}

/** Resident memory now and at its peak, in MB, from /proc/<pid>/status. */
export function memoryMegabytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) / 1024;
  return { rss: field("VmRSS"), peak: field("VmHWM") };
}
