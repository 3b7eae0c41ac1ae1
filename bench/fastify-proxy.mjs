// The framework floor: the bare proxy's job done on fastify, Bentoo's HTTP layer.
// One route; fastify's own JSON body parser (a gateway must read the request to
// know the model); the body re-serialised for the upstream; the answer streamed
// back with Pool.stream into the raw response (after reply.hijack()), as the bare
// proxy does. No auth, limits, credits, audit or metrics: what this costs beyond
// the bare proxy is the price of the framework and of reading the request, before
// any of Bentoo's features.
// Usage: node bench/fastify-proxy.mjs <upstream origin> [port]; prints "listening <url>".
import Fastify from "fastify";
import { Pool } from "undici";
import { relay } from "./lib/proxy-relay.mjs";

const upstream = new URL(process.argv[2] ?? "http://127.0.0.1:8081");
const pool = new Pool(upstream.origin, { connections: 256, pipelining: 1 });

const app = Fastify({ logger: false });
app.post("/v1/chat/completions", (request, reply) => {
  reply.hijack();
  relay(pool, { method: "POST", path: request.url, headers: request.headers, body: JSON.stringify(request.body) }, reply.raw);
});

const address = await app.listen({ port: Number(process.argv[3] ?? 0), host: "127.0.0.1" });
process.stdout.write(`listening ${address}\n`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
