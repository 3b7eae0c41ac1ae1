// Runs the test-kit's fake Anthropic Messages API in its own process, so its CPU
// is never counted as the measured gateway's. Needs the build (`npx tsc -b`).
// Text streams one word per delta, as the OpenAI fake streams one chunk per word.
// Usage: node bench/fake-anthropic-runner.mjs; prints "listening <url>".
import { startFakeAnthropic } from "../packages/test-kit/dist/fake-anthropic.js";

const upstream = await startFakeAnthropic({ record: false, host: "127.0.0.1", wordDeltas: true });
process.stdout.write(`listening ${upstream.url}\n`);

// Nothing to flush: exit at once so a benchmark's clean-up never waits on open sockets.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
