// The floor for a gateway with Bentoo's features: the bare proxy (bare-proxy.mjs)
// plus the work every request must do in any implementation, written as
// plainly and cheaply as the benchmark's requests allow. It is not a product:
// it knows one key, one model and one account, answers only what the
// benchmark sends, and skips what only errors need. What it does per request:
//
// - the key: the Bearer token, remembered per connection, looked up by its
//   SHA-256 in a table (so a revoked key would be refused on its next request);
// - the client address against the allowlist, decided once per connection;
// - the body parsed as JSON, the model looked up, the prompt's tokens counted
//   (Bentoo's tokenizer, which caches repeated prompts) and the upstream model
//   written into the forwarded body;
// - two token buckets (requests and tokens per minute) and a credit hold, in
//   this process; OpenAI's six rate-limit headers and a request id on the answer;
// - the answer: a JSON one with the catalog's model name and the cost added
//   to its usage; a stream passed through chunk by chunk, its usage event
//   read and given the cost (Bentoo's relay rewrites no other chunk);
// - the charge settled, a counter per status, and one audit row and one
//   ledger row per request written to SQLite in 500-row batches on a writer
//   thread: Bentoo's own schema, indexes and writer (@bentoo/storage), which
//   the audit and usage APIs need.
//
// With a PostgreSQL database and Redis (the scale-out mode), the rows go to
// PostgreSQL through Bentoo's stores, and the buckets and the balance live in
// Redis: one script call per event-loop turn admits every request of the turn
// (as Bentoo batches per account), and one INCRBY per turn gives back what the
// settled requests did not spend.
//
// Whatever Bentoo costs beyond this is its own code; whatever this costs beyond
// the bare proxy is the price of the features. bench/README.md, "The feature floor".
// Usage: node bench/floor-gateway.mjs <upstream origin> [port] [<postgres url> <redis url> <redis key prefix>];
// prints "listening <url>".
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newId } from "@bentoo/core";
import { countRequestTokens, warmTokenizer } from "@bentoo/providers";
import { openStorage } from "@bentoo/storage";
import { Redis } from "ioredis";
import ipaddr from "ipaddr.js";
import { Pool } from "undici";

const [upstreamArgument, portArgument, postgresUrl, redisUrl, redisPrefix] = process.argv.slice(2);
const upstream = new URL(upstreamArgument ?? "http://127.0.0.1:8081");
const pool = new Pool(upstream.origin, { connections: 256, pipelining: 1 });
const directory = postgresUrl === undefined ? mkdtempSync(join(tmpdir(), "bentoo-floor-")) : null;
const storage = await openStorage(directory === null ? postgresUrl : `sqlite:${join(directory, "floor.db")}`);
const account = await storage.accounts.create({ email: "floor@bench.invalid", passwordHash: null, plan: "enterprise" });
warmTokenizer();

const sha256 = (text) => createHash("sha256").update(text).digest("hex");
/** The key the benchmark sends to the reference proxies ("Bearer bench"). */
const keys = new Map([[sha256("bench"), { id: newId("apiKey"), last4: "ench", name: "bench", revoked: false }]]);
const model = (id, upstream, prices) => ({
  id,
  upstream,
  ...prices,
  upstreamName: Buffer.from(`"model":"${upstream}"`),
  catalogName: Buffer.from(`"model":"${id}"`),
});
const models = new Map([["fake/bench", model("fake/bench", "bench-model", { inputMicrosPerMtok: 1_000_000, outputMicrosPerMtok: 2_000_000, context: 8192 })]]);
const allowlist = ["127.0.0.0/8", "::1/128"].map((cidr) => ipaddr.parseCIDR(cidr));
const LIMIT = 1_000_000_000;
const buckets = { requests: LIMIT, tokens: LIMIT, refilledAt: performance.now() };
let balanceMicros = 1e18;
const statusCounts = new Map();

/** Both buckets refilled and charged for a turn's requests, and the turn's holds taken from the balance. */
const ADMIT_TURN = `
local now, limit = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'requests', 'tokens', 'at')
local at = tonumber(state[3]) or now
local refill = (now - at) / 60000 * limit
local requests = math.min(limit, (tonumber(state[1]) or limit) + refill) - tonumber(ARGV[3])
local tokens = math.min(limit, (tonumber(state[2]) or limit) + refill) - tonumber(ARGV[4])
redis.call('HSET', KEYS[1], 'requests', requests, 'tokens', tokens, 'at', now)
redis.call('DECRBY', KEYS[2], ARGV[5])
return { math.floor(requests), math.floor(tokens) }`;
const redis = redisUrl === undefined ? null : new Redis(redisUrl, { keyPrefix: redisPrefix, enableAutoPipelining: true });
if (redis !== null) {
  redis.defineCommand("admitTurn", { numberOfKeys: 2, lua: ADMIT_TURN });
  await redis.set("balance", String(1e15));
}
let turn = null;
let refundMicros = 0;

/** Admits a request with the others of this turn: one Redis call for all of them. */
function admitRemotely(tokens, holdMicros, then) {
  if (turn === null) {
    turn = { requests: 0, tokens: 0, holdMicros: 0, waiting: [] };
    setImmediate(sendTurn);
  }
  turn.requests += 1;
  turn.tokens += tokens;
  turn.holdMicros += holdMicros;
  turn.waiting.push(then);
}
function sendTurn() {
  const { requests, tokens, holdMicros, waiting } = turn;
  turn = null;
  if (refundMicros !== 0) void redis.incrby("balance", refundMicros);
  refundMicros = 0;
  redis.admitTurn("buckets", "balance", Date.now(), LIMIT, requests, tokens, holdMicros).then(
    ([remainingRequests, remainingTokens]) => {
      for (const then of waiting) then(remainingRequests, remainingTokens);
    },
    () => {
      for (const then of waiting) then(null, null);
    },
  );
}

const audit = [];
const ledger = [];
const writing = new Set();
function track(write) {
  writing.add(write);
  void write.finally(() => writing.delete(write));
}
function flush() {
  if (audit.length > 0 || ledger.length > 0) track(storage.records.write({ audit: audit.splice(0, audit.length), ledger: ledger.splice(0, ledger.length) }));
}
setInterval(flush, 200).unref();

function fail(response, status, message) {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ error: { message, type: "invalid_request_error" } }));
}

/** The per-connection memo: the last Authorization header and its key, and the allowlist's decision. */
function connectionOf(socket) {
  if (socket.floor === undefined) {
    const address = ipaddr.process(socket.remoteAddress);
    socket.floor = { header: null, key: null, allowed: allowlist.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits)) };
  }
  return socket.floor;
}

function takeFromBuckets(tokens) {
  const now = performance.now();
  const refill = ((now - buckets.refilledAt) / 60_000) * LIMIT;
  buckets.refilledAt = now;
  buckets.requests = Math.min(LIMIT, buckets.requests + refill) - 1;
  buckets.tokens = Math.min(LIMIT, buckets.tokens + refill) - tokens;
  return buckets.requests >= 0 && buckets.tokens >= 0;
}

function settle(request, status, usage, costMicros) {
  if (redis === null) balanceMicros += request.holdMicros - costMicros;
  else refundMicros += request.holdMicros - costMicros;
  statusCounts.set(status, (statusCounts.get(status) ?? 0) + 1);
  const now = Date.now();
  if (costMicros > 0)
    ledger.push({
      id: newId("ledgerEntry", now),
      accountId: account.id,
      kind: "charge",
      amountMicros: -costMicros,
      requestId: request.id,
      estimated: false,
      createdAt: now,
      metadata: null,
    });
  audit.push({
    id: newId("event", now),
    type: "request",
    event: "api.request",
    timestamp: request.startedAt,
    requestId: request.id,
    accountId: account.id,
    apiKeyId: request.key.id,
    keyLast4: request.key.last4,
    keyName: request.key.name,
    model: request.model.id,
    provider: "fake",
    status,
    errorCode: null,
    promptTokens: usage?.prompt_tokens ?? null,
    completionTokens: usage?.completion_tokens ?? null,
    totalTokens: usage?.total_tokens ?? null,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    endpoint: null,
    costMicros,
    usageEstimated: false,
    sourceIp: request.sourceIp,
    userAgent: request.userAgent ?? null,
    latencyMs: now - request.startedAt,
    actor: `key:${request.key.id}`,
    metadata: { method: "POST", path: "/v1/chat/completions" },
  });
  if (audit.length >= 500) flush();
}

function answerHeaders(request, contentType) {
  return {
    "content-type": contentType,
    "x-request-id": request.id,
    "x-ratelimit-limit-requests": String(LIMIT),
    "x-ratelimit-remaining-requests": String(request.remainingRequests),
    "x-ratelimit-reset-requests": "0s",
    "x-ratelimit-limit-tokens": String(LIMIT),
    "x-ratelimit-remaining-tokens": String(request.remainingTokens),
    "x-ratelimit-reset-tokens": "0s",
  };
}

const UPSTREAM_HEADERS = { "content-type": "application/json" };
const USAGE = Buffer.from('"usage":{');

/**
 * The bytes with every `from` (`"model":"<name>"`) written as `to`, by
 * byte search: a shortcut only a floor may take (a gateway must change the
 * top-level member alone, not one of the same name nested deeper, and find it
 * however the JSON is spaced).
 */
function renamed(chunk, from, to) {
  let at = chunk.indexOf(from);
  if (at === -1) return chunk;
  const pieces = [];
  let start = 0;
  while (at !== -1) {
    pieces.push(chunk.subarray(start, at), to);
    start = at + from.length;
    at = chunk.indexOf(from, start);
  }
  pieces.push(chunk.subarray(start));
  return Buffer.concat(pieces);
}

/** A Chat Completions message as the tokenizer counts it: its role and its text. */
function textMessage(message) {
  return { role: message.role, parts: typeof message.content === "string" ? [{ type: "text", text: message.content }] : [] };
}

function costMicrosOf(model, usage) {
  return Math.ceil((usage.prompt_tokens * model.inputMicrosPerMtok + usage.completion_tokens * model.outputMicrosPerMtok) / 1e6);
}

/**
 * The usage object of bytes that carry one (the fake upstream's has no nested
 * object), its cost, and the bytes with the cost added to it as Bentoo adds it;
 * null when there is none.
 */
function withCost(bytes, model) {
  const at = bytes.indexOf(USAGE);
  if (at === -1) return null;
  const close = bytes.indexOf(125, at);
  const usage = JSON.parse(bytes.latin1Slice(at + USAGE.length - 1, close + 1));
  const costMicros = costMicrosOf(model, usage);
  return {
    usage,
    costMicros,
    bytes: Buffer.concat([bytes.subarray(0, close), Buffer.from(`,"cost":${costMicros / 1e6},"cost_micros":${costMicros}`), bytes.subarray(close)]),
  };
}

/** undici's dispatch callbacks, as Bentoo's adapter uses them: no promise, stream or header object per request. */
function forward(request, body, response, stream) {
  let status = 0;
  const chunks = [];
  let priced = null;
  let resume = null;
  pool.dispatch(
    { method: "POST", path: "/v1/chat/completions", headers: UPSTREAM_HEADERS, body },
    {
      onConnect() {},
      onHeaders(statusCode, _rawHeaders, resumeReading) {
        status = statusCode;
        resume = resumeReading;
        if (stream) response.writeHead(statusCode, { ...answerHeaders(request, "text/event-stream"), "cache-control": "no-cache" });
        return true;
      },
      onData(chunk) {
        if (!stream) {
          chunks.push(chunk);
          return true;
        }
        // As Bentoo's relay does, the chunks pass as they come, but for the usage event, which gains the cost.
        const found = withCost(chunk, request.model);
        if (found !== null) priced = found;
        if (response.write(found === null ? chunk : found.bytes)) return true;
        response.once("drain", resume);
        return false;
      },
      onComplete() {
        if (stream) {
          response.end();
        } else {
          priced = withCost(
            renamed(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks), request.model.upstreamName, request.model.catalogName),
            request.model,
          );
          const headers = answerHeaders(request, "application/json");
          headers["content-length"] = String(priced.bytes.length);
          response.writeHead(status, headers).end(priced.bytes);
        }
        settle(request, status, priced?.usage ?? null, priced?.costMicros ?? 0);
      },
      onError() {
        if (!response.headersSent) fail(response, 502, "bad gateway");
        else response.destroy();
      },
    },
  );
}

const server = createServer((request, response) => {
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", () => {
    const connection = connectionOf(request.socket);
    if (!connection.allowed) return fail(response, 403, "address not allowed");
    const header = request.headers.authorization;
    if (header !== connection.header) {
      connection.header = header;
      connection.key = typeof header === "string" && header.startsWith("Bearer ") ? (keys.get(sha256(header.slice(7))) ?? null) : null;
    }
    const key = connection.key;
    if (key === null || key.revoked) return fail(response, 401, "invalid API key");
    const raw = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    let chat;
    try {
      chat = JSON.parse(raw.toString("utf8"));
    } catch {
      return fail(response, 400, "the body is not JSON");
    }
    const model = typeof chat.model === "string" ? models.get(chat.model) : undefined;
    if (model === undefined || !Array.isArray(chat.messages)) return fail(response, 400, "unknown model or no messages");
    const promptTokens = countRequestTokens({ messages: chat.messages.map(textMessage), tools: [] });
    const maxTokens = Number.isInteger(chat.max_tokens) ? chat.max_tokens : model.context - promptTokens;
    const tokens = promptTokens + maxTokens;
    const holdMicros = costMicrosOf(model, { prompt_tokens: promptTokens, completion_tokens: maxTokens });
    const forwarded = {
      id: newId("request"),
      startedAt: Date.now(),
      key,
      model,
      holdMicros,
      remainingRequests: 0,
      remainingTokens: 0,
      sourceIp: request.socket.remoteAddress,
      userAgent: request.headers["user-agent"],
    };
    // The model renamed in the bytes the client sent; re-serialised only when they spell it another way.
    let body = renamed(raw, model.catalogName, model.upstreamName);
    if (body === raw) body = JSON.stringify({ ...chat, model: model.upstream });
    const stream = chat.stream === true;
    if (redis !== null) {
      admitRemotely(tokens, holdMicros, (remainingRequests, remainingTokens) => {
        if (remainingRequests === null) return fail(response, 503, "limits cannot be checked");
        if (remainingRequests < 0 || remainingTokens < 0) return fail(response, 429, "rate limited");
        forwarded.remainingRequests = remainingRequests;
        forwarded.remainingTokens = remainingTokens;
        forward(forwarded, body, response, stream);
      });
      return;
    }
    if (!takeFromBuckets(tokens)) return fail(response, 429, "rate limited");
    if (balanceMicros < holdMicros) return fail(response, 402, "insufficient credits");
    balanceMicros -= holdMicros;
    forwarded.remainingRequests = Math.floor(buckets.requests);
    forwarded.remainingTokens = Math.floor(buckets.tokens);
    forward(forwarded, body, response, stream);
  });
});

server.listen(Number(portArgument ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening http://127.0.0.1:${server.address().port}\n`);
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    flush();
    void Promise.allSettled(writing)
      .then(() =>
        Promise.all(
          ["audit_log", "credit_ledger"].map((table) =>
            storage.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll().as("rows"))
              .executeTakeFirstOrThrow(),
          ),
        ),
      )
      .then(([audit, ledger]) => process.stdout.write(`written: ${audit.rows} audit rows, ${ledger.rows} ledger rows\n`))
      .finally(() => Promise.allSettled([storage.close(), redis?.quit()]))
      .finally(() => {
        if (directory !== null) rmSync(directory, { recursive: true, force: true });
        process.exit(0);
      });
  });
}
