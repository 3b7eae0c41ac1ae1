// Runs the test-kit's fake upstreams in their own process, so their CPU is never
// counted as the measured proxy's: the OpenAI-compatible one (every target's
// upstream) and, for Bentoo's translated routes, the fake Anthropic Messages API
// and the fake Gemini API. Needs the build (`npx tsc -b`).
// Usage: node bench/fake-upstream-runner.mjs [latencyMs]; prints
// "listening <openai url> anthropic <url> gemini <url>". The delay applies to the
// OpenAI-compatible upstream only.
import { startFakeAnthropic } from "../packages/test-kit/dist/fake-anthropic.js";
import { startFakeGemini } from "../packages/test-kit/dist/fake-gemini.js";
import { startFakeUpstream } from "../packages/test-kit/dist/fake-upstream.js";

const latencyMs = Number(process.argv[2] ?? 0);
const upstream = await startFakeUpstream({ latencyMs, record: false, host: "127.0.0.1" });
const anthropic = await startFakeAnthropic({ record: false });
const gemini = await startFakeGemini({ record: false });
process.stdout.write(`listening ${upstream.url} anthropic ${anthropic.url} gemini ${gemini.url}\n`);

// Nothing to flush: exit at once so a benchmark's clean-up never waits on open sockets.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
