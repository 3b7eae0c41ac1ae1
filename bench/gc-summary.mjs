#!/usr/bin/env node
// What the garbage collector did in a gateway's log written with --trace-gc-nvp
// (bench/README.md, "Garbage collection"): for the process's main isolate, how
// much survived and was promoted per young collection, and how many full
// collections ran. A gateway in the slow state keeps about 2 MB alive per young
// collection, against 0.4 MB, and runs three times as many full ones. A report,
// not a test.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const USAGE = "usage: node bench/gc-summary.mjs <log written with --trace-gc-nvp>... [--skip <seconds of start-up to leave out, default 5>]\n";
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { skip: { type: "string", default: "5" }, help: { type: "boolean", default: false } },
});
const skipMs = Number(values.skip) * 1000;
if (values.help || positionals.length === 0 || !Number.isFinite(skipMs)) {
  process.stderr.write(USAGE);
  process.exit(values.help ? 0 : 2);
}

const LINE = /^\[\d+:(0x[0-9a-f]+)\]\s+(\d+) ms: .* gc=(\S+) /;

function field(line, name) {
  const match = new RegExp(` ${name}=([^ ]+)`).exec(line);
  return match === null ? 0 : Number(match[1]);
}

for (const path of positionals) {
  const events = [];
  const perIsolate = new Map();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = LINE.exec(line);
    if (match === null) continue;
    events.push({ isolate: match[1], atMs: Number(match[2]), kind: match[3], line });
    perIsolate.set(match[1], (perIsolate.get(match[1]) ?? 0) + 1);
  }
  if (events.length === 0) {
    console.log(`${path}: no --trace-gc-nvp lines`);
    continue;
  }
  // The main thread collects most often; the SQLite writer thread is a second isolate.
  const main = [...perIsolate].sort((left, right) => right[1] - left[1])[0][0];
  let young = 0;
  let survived = 0;
  let promoted = 0;
  let youngPause = 0;
  let full = 0;
  let fullPause = 0;
  for (const event of events) {
    if (event.isolate !== main || event.atMs < skipMs) continue;
    if (event.kind === "s") {
      young += 1;
      survived += field(event.line, "new_space_survived");
      promoted += field(event.line, "promoted");
      youngPause += field(event.line, "pause");
    } else if (event.kind === "mc" || event.kind === "mmc") {
      full += 1;
      fullPause += field(event.line, "pause");
    }
  }
  const perYoung = (bytes) => (young === 0 ? "-" : `${Math.round(bytes / young / 1024)} KB`);
  console.log(
    `${path}: ${young} young collections (${perYoung(survived)} survived, ${perYoung(promoted)} promoted each, ` +
      `${young === 0 ? "-" : (youngPause / young).toFixed(2)} ms pause), ${full} full collections (${fullPause.toFixed(0)} ms)`,
  );
}
