#!/usr/bin/env node
// Where the time goes in a V8 CPU profile (from `node bench/run.mjs --profile`,
// or any `node --cpu-prof`): self time grouped by package (a dependency, a
// Bentoo workspace, Node's internals, GC), the busiest functions and, with
// --callers <name>, who calls a hot function such as writev, and with --stages,
// the time by stage of a chat request (bench/lib/stages.mjs). See USAGE.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { STAGES, stageClassifier, stageRules } from "./lib/stages.mjs";

const USAGE = `Usage: node bench/profile-summary.mjs <file.cpuprofile> [--skip <seconds of start-up to leave out>] [--top 25] [--callers <function name>]
       node bench/profile-summary.mjs <file.cpuprofile> --stages [--skip <s>] [--user-micros <main thread's user CPU µs per request>]\n`;
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    skip: { type: "string", default: "0" },
    top: { type: "string", default: "25" },
    callers: { type: "string" },
    stages: { type: "boolean", default: false },
    "user-micros": { type: "string" },
  },
});
const path = positionals[0];
const skipMicros = Number(values.skip) * 1e6;
const top = Number(values.top);
const userMicros = values["user-micros"] === undefined ? null : Number(values["user-micros"]);
if (path === undefined || !Number.isFinite(skipMicros) || !Number.isInteger(top) || (userMicros !== null && !(userMicros > 0))) {
  process.stderr.write(USAGE);
  process.exit(2);
}
const profile = JSON.parse(readFileSync(path, "utf8"));

function packageOf(url, functionName) {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node internals";
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency !== null) return dependency[1];
  const workspace = /\/(apps|packages)\/([^/]+)\//.exec(url);
  return workspace === null ? url : `@bentoo/${workspace[2]}`;
}

// Sample i happened timeDeltas[0..i] after startTime; start-up (imports, tokenizer tables) is not per-request work.
const selfMicros = new Map(profile.nodes.map((node) => [node.id, 0]));
let elapsed = 0;
for (let index = 0; index < profile.samples.length; index++) {
  const delta = profile.timeDeltas[index] ?? 0;
  elapsed += delta;
  if (elapsed < skipMicros) continue;
  const id = profile.samples[index];
  selfMicros.set(id, selfMicros.get(id) + delta);
}

if (values.stages) {
  printStages();
  process.exit(0);
}

/**
 * Busy time by stage. The profiler samples wall time, so a thread taken off the
 * CPU inside a syscall keeps being sampled there: on a loaded 2-core machine,
 * writev (which wakes the client or the upstream, who may then run first) shows
 * several times the CPU it uses. It is listed apart and left out of the shares;
 * the syscalls' CPU is the main thread's CPU minus its user CPU in compare.mjs's
 * report. With --user-micros (compare.mjs's "of it user"), the shares become µs
 * per request.
 */
function printStages() {
  const { subject, rules } = stageRules(profile.nodes);
  const stageOf = stageClassifier(profile.nodes, rules);
  const byStage = new Map(STAGES.map((stage) => [stage, 0]));
  let busy = 0;
  let writev = 0;
  for (const node of profile.nodes) {
    const micros = selfMicros.get(node.id);
    const name = node.callFrame.functionName;
    if (micros === 0 || name === "(idle)") continue;
    if (name === "writev") {
      writev += micros;
      continue;
    }
    busy += micros;
    const stage = stageOf(node.id);
    byStage.set(stage, byStage.get(stage) + micros);
  }
  process.stdout.write(
    `${path}: ${subject}\n${skipMicros > 0 ? `after the first ${values.skip} s: ` : ""}busy ${(busy / 1000).toFixed(0)} ms, and ${(writev / 1000).toFixed(0)} ms in writev (wall time, left out)\n\n`,
  );
  for (const [stage, micros] of byStage) {
    const share = micros / busy;
    const scaled = userMicros === null ? "" : `${(share * userMicros).toFixed(1).padStart(6)} µs  `;
    process.stdout.write(`${scaled}${(share * 100).toFixed(1).padStart(5)} %  ${stage}\n`);
  }
  if (userMicros !== null) process.stdout.write(`${userMicros.toFixed(1).padStart(6)} µs  the main thread's user CPU per request\n`);
}

const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);

function describe(node) {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || "(anonymous)"} ${url.replace(/^file:\/\/.*?\/(node_modules|apps|packages)\//, "$1/")}:${lineNumber + 1}`;
}

/** The three frames above a node, skipping Node's internals: who really asked for this work. */
function callerChain(node) {
  const frames = [];
  for (let parent = parentOf.get(node.id); parent !== undefined && frames.length < 3; parent = parentOf.get(parent.id)) {
    if (!parent.callFrame.url.startsWith("node:") && parent.callFrame.url !== "") frames.push(describe(parent));
  }
  return frames.join(" < ") || "(no JavaScript caller)";
}

const byPackage = new Map();
const byCaller = new Map();
const byFunction = new Map();
let total = 0;
let idle = 0;
for (const node of profile.nodes) {
  const micros = selfMicros.get(node.id);
  const { functionName, url } = node.callFrame;
  if (functionName === "(idle)" || functionName === "(program)") {
    idle += functionName === "(idle)" ? micros : 0;
    if (functionName === "(idle)") continue;
  }
  total += micros;
  const name = packageOf(url, functionName);
  byPackage.set(name, (byPackage.get(name) ?? 0) + micros);
  const where = describe(node);
  byFunction.set(where, (byFunction.get(where) ?? 0) + micros);
  if (values.callers !== undefined && functionName === values.callers && micros > 0) {
    const chain = callerChain(node);
    byCaller.set(chain, (byCaller.get(chain) ?? 0) + micros);
  }
}

function print(title, entries) {
  process.stdout.write(`\n${title}\n`);
  for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${((micros / total) * 100).toFixed(1).padStart(5)} %  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}\n`);
  }
}

process.stdout.write(
  `${path}\n${skipMicros > 0 ? `after the first ${values.skip} s: ` : ""}busy ${(total / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms\n`,
);
print("Self time by package", byPackage);
print("Self time by function", byFunction);
if (values.callers !== undefined) print(`Callers of ${values.callers} (self time; nearest JavaScript frames first)`, byCaller);
