import { startFakeUpstream } from "../packages/test-kit/dist/fake-upstream.js";
import { OpenAiChatPassthrough } from "../packages/providers/dist/openai/passthrough-stream.js";
import { Pool } from "undici";
const up = await startFakeUpstream({ record: false });
const pool = new Pool(new URL(up.url).origin, { connections: 1 });
const body = JSON.stringify({ model: "fake-bench", stream: true, stream_options: { include_usage: true }, max_tokens: 64, messages: [{ role: "user", content: "Say something about benchmarks, in a handful of words, please." }] });
const chunk = await new Promise((resolve, reject) => { const parts = []; pool.dispatch({ path: "/v1/chat/completions", method: "POST", headers: { "content-type": "application/json" }, body }, { onRequestStart() {}, onResponseStart() {}, onResponseData(c, b) { parts.push(b); }, onResponseEnd() { resolve(Buffer.concat(parts)); }, onResponseError(c, e) { reject(e); } }); });
await pool.close(); await up.close();
const model = { id: "fake/bench", routes: [], inputMicrosPerMtok: 1, outputMicrosPerMtok: 1, contextLength: 1000, maxOutputTokens: null, ownedBy: "x", created: 0 };
const call = (streamUsage) => ({ requestId: "r", model, client: { wire: "openai-chat", stream: true, streamUsage, request: null, body: {}, raw: null, answers: null }, cancellation: null, usageExtras: (u) => ({ cost: u.outputTokens / 1e6, cost_micros: u.outputTokens }) });
const N = 100000;
const copies = Array.from({ length: 64 }, () => Buffer.from(chunk));
for (const streamUsage of [true, false]) {
  let i = 0;
  const run = () => { const t = new OpenAiChatPassthrough(call(streamUsage)); const out = t.chunk(copies[i++ & 63]); const end = t.finish(); return out.length + (end.done ? 1 : 0); };
  for (let k = 0; k < 10000; k++) run();
  const t0 = performance.now(); for (let k = 0; k < N; k++) run(); console.log("bytes", chunk.length, "streamUsage", streamUsage, ((performance.now() - t0) * 1000 / N).toFixed(2), "µs per stream");
}
let i = 0; const t0 = performance.now(); for (let k = 0; k < N; k++) copies[i++ & 63].toString("utf8"); console.log("toString alone", ((performance.now() - t0) * 1000 / N).toFixed(2));
