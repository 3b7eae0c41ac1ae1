// The near-limit baseline for a Node proxy: node:http in front, an undici Pool
// behind, the small JSON request body buffered (2-3x cheaper than piping it),
// and the upstream response streamed back with Pool.stream without
// parsing or re-serialising it. No auth, no limits, no logging: whatever Bentoo
// costs beyond this is the price of its features.
// Usage: node bench/bare-proxy.mjs <upstream origin> [port]; prints "listening <url>".
import { createServer } from "node:http";
import { Pool } from "undici";
import { relay } from "./lib/proxy-relay.mjs";

const upstream = new URL(process.argv[2] ?? "http://127.0.0.1:8081");
const pool = new Pool(upstream.origin, { connections: 256, pipelining: 1 });

const server = createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    relay(pool, { method: request.method, path: request.url, headers: request.headers, body: Buffer.concat(chunks) }, response);
  });
});

server.listen(Number(process.argv[3] ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening http://127.0.0.1:${server.address().port}\n`);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
