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
import { NOT_FORWARDED, NOT_SENT_UPSTREAM, without } from "./lib/proxy-headers.mjs";

const upstream = new URL(process.argv[2] ?? "http://127.0.0.1:8081");
const pool = new Pool(upstream.origin, { connections: 256, pipelining: 1 });

const app = Fastify({ logger: false });
app.post("/v1/chat/completions", (request, reply) => {
  reply.hijack();
  const response = reply.raw;
  pool.stream(
    { method: "POST", path: request.url, headers: without(request.headers, NOT_SENT_UPSTREAM), body: JSON.stringify(request.body) },
    ({ statusCode, headers }) => {
      response.writeHead(statusCode, without(headers, NOT_FORWARDED));
      return response;
    },
    (error) => {
      if (error === null || error === undefined) return;
      if (response.headersSent) response.destroy(error);
      else response.writeHead(502, { "content-type": "application/json" }).end('{"error":{"message":"bad gateway"}}');
    },
  );
});

const address = await app.listen({ port: Number(process.argv[3] ?? 0), host: "127.0.0.1" });
process.stdout.write(`listening ${address}\n`);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(0));
