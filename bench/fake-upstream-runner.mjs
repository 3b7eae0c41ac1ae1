// Runs the test-kit's fake OpenAI-compatible upstream in its own process, so its
// CPU is never counted as the measured proxy's. Needs the build (`npx tsc -b`).
// Usage: node bench/fake-upstream-runner.mjs [latencyMs]; prints "listening <url>".
import { startFakeUpstream } from "../packages/test-kit/dist/fake-upstream.js";

const latencyMs = Number(process.argv[2] ?? 0);
const upstream = await startFakeUpstream({ latencyMs, record: false, host: "127.0.0.1" });
process.stdout.write(`listening ${upstream.url}\n`);

// Nothing to flush: exit at once so a benchmark's clean-up never waits on open sockets.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
