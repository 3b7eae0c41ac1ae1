// What the benchmark measures. Every target is started against the same fake
// upstream and returns { pid, url, headers, notes, stop() }: `pid` is the one
// process whose CPU and memory are charged to it. Bentoo also returns
// `afterLoad()` (credits spent so far), `logWarnings()` (read its log once it
// has stopped) and, with --profile, `profile: { path, startedAt }`.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { deleteRedisKeys } from "@bentoo/test-kit";
import { startChild, stopChild } from "./children.mjs";
import { BENCH_MODELS, ROUTES } from "./routes.mjs";
import { createBenchDatabase } from "./services.mjs";

/** What a proxy script prints when it serves. */
const LISTENING = /listening (http:\/\/\S+)/;
/** What the fake upstreams print: the OpenAI-compatible, Anthropic and Gemini origins. */
const UPSTREAM_LISTENING = /listening (http:\/\/\S+) anthropic (http:\/\/\S+) gemini (http:\/\/\S+)/;
const GATEWAY_READY = /Bentoo is serving on (http:\/\/\S+)/;
const JSON_HEADERS = { "content-type": "application/json" };
const CREDIT_GRANT_MICROS = 1_000_000_000_000_000;

/**
 * The request every target gets. `max_tokens` keeps Bentoo's token reservation
 * (prompt plus max output) small, as a real client's would be, so that TPM and
 * credit holds stay far from their limits; the answer is shorter than it anyway.
 * Streams ask for usage everywhere, so the upstream sends the same bytes to all.
 */
export function requestBody(mode) {
  return ROUTES.chat.body(mode);
}

/** The fake upstreams in their own process, the OpenAI-compatible one answering after `delayMs`. */
export async function startUpstream(delayMs, context) {
  const handle = await startChild({
    name: `upstream-${delayMs}ms`,
    args: [join(context.benchDirectory, "fake-upstream-runner.mjs"), String(delayMs)],
    logDirectory: context.logDirectory,
    readyPattern: UPSTREAM_LISTENING,
  });
  const [, url, anthropicUrl, geminiUrl] = handle.ready;
  return { pid: handle.pid, url, anthropicUrl, geminiUrl, origin: new URL(url).origin, stop: () => stopChild(handle, 0) };
}

const direct = {
  id: "direct",
  label: "direct (fake upstream)",
  async start(upstream) {
    // The fake upstream ignores the key; sending one keeps the request the same size everywhere.
    return {
      pid: upstream.pid,
      url: `${upstream.url}/chat/completions`,
      headers: { ...JSON_HEADERS, authorization: "Bearer bench" },
      notes: [],
      stop: async () => undefined,
    };
  },
};

/** A proxy script of bench/ in its own process (bare-proxy.mjs, fastify-proxy.mjs). */
function scriptProxy(id, label, script) {
  return {
    id,
    label,
    async start(upstream, context) {
      const handle = await startChild({
        name: id,
        args: [join(context.benchDirectory, script), upstream.origin],
        logDirectory: context.logDirectory,
        readyPattern: LISTENING,
      });
      return {
        pid: handle.pid,
        url: `${handle.ready[1]}/v1/chat/completions`,
        headers: { ...JSON_HEADERS, authorization: "Bearer bench" },
        notes: [],
        stop: () => stopChild(handle, 0),
      };
    },
  };
}

const bareProxy = scriptProxy("bare", "bare undici proxy", "bare-proxy.mjs");
/** The framework floor: the same proxy on fastify, reading the request body (no Bentoo feature). */
const fastifyProxy = scriptProxy("fastify", "fastify proxy (floor)", "fastify-proxy.mjs");

const embedded = {
  id: "embedded",
  label: "bentoo sqlite+memory",
  start: (upstream, context) =>
    startBentoo("bentoo-embedded", upstream, context, `sqlite:${join(context.workDirectory, `bentoo-${randomBytes(4).toString("hex")}.db`)}`, null),
};

/**
 * The feature floor (floor-gateway.mjs): the bare proxy plus the work Bentoo's
 * features need on every request, written plainly. With `scaleOut`, its rows
 * go to a PostgreSQL database of its own and its buckets and balance to Redis.
 * It stops gracefully, so that the rows it wrote are counted in the notes.
 */
function featureFloor(id, label, scaleOut) {
  return {
    id,
    label,
    async start(upstream, context) {
      const database = scaleOut ? await createBenchDatabase(context.postgres.adminUrl) : null;
      const redisPrefix = `bentoo-bench:${randomBytes(4).toString("hex")}:`;
      const cleanUp = async () => {
        if (database === null) return;
        await Promise.allSettled([database.drop(), deleteRedisKeys(context.postgres.redisUrl, redisPrefix)]);
      };
      // Profiled like Bentoo when the context asks for profiles, so that the two can be compared stage by stage.
      const { profile, profileFlags } = cpuProfile(id, context);
      try {
        const handle = await startChild({
          name: id,
          // Bentoo's Node flags (npm start's), so that the two differ by their code alone.
          args: [
            ...gatewayNodeFlags(context.repositoryRoot),
            ...profileFlags,
            join(context.benchDirectory, "floor-gateway.mjs"),
            upstream.origin,
            "0",
            ...(database === null ? [] : [database.url, context.postgres.redisUrl, redisPrefix]),
          ],
          logDirectory: context.logDirectory,
          readyPattern: LISTENING,
        });
        const notes = database === null ? [] : [`database ${database.name} (dropped afterwards)`];
        // A floor that wrote no rows would understate the features' cost: the run fails instead.
        const stop = async () => {
          await stopChild(handle, 10_000);
          await cleanUp();
          const written = /written: (\d+) audit rows, (\d+) ledger rows/.exec(readFileSync(handle.logPath, "utf8"));
          if (written === null || written[1] === "0" || written[2] === "0")
            throw new Error(`${id} reported no audit or ledger rows written (its log: ${handle.logPath})`);
          notes.push(written[0]);
        };
        return {
          pid: handle.pid,
          url: `${handle.ready[1]}/v1/chat/completions`,
          headers: { ...JSON_HEADERS, authorization: "Bearer bench" },
          notes,
          profile,
          stop,
        };
      } catch (error) {
        await cleanUp();
        throw error;
      }
    },
  };
}
const leanGateway = featureFloor("lean", "lean gateway (floor)", false);
const leanGatewayPostgres = featureFloor("lean-postgres", "lean gateway, postgres+redis", true);

const postgresRedis = {
  id: "postgres",
  label: "bentoo postgres+redis",
  async start(upstream, context) {
    const database = await createBenchDatabase(context.postgres.adminUrl);
    try {
      const instance = await startBentoo("bentoo-postgres", upstream, context, database.url, context.postgres.redisUrl);
      instance.notes.push(`database ${database.name} (dropped afterwards)`);
      return { ...instance, stop: () => instance.stop().finally(() => database.drop()) };
    } catch (error) {
      await database.drop().catch(() => undefined);
      throw error;
    }
  },
};

/** The targets of a run, in order; the Postgres one only when `context.postgres` is set. */
export function targetsFor(context, only) {
  const references = [direct, bareProxy, fastifyProxy, leanGateway, embedded];
  const all = context.postgres === null ? references : [...references, leanGatewayPostgres, postgresRedis];
  return only === null ? all : all.filter((target) => target.id === "direct" || only.includes(target.id));
}

function gatewayEnvironment(settings) {
  const environment = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("BENTOO_")) environment[name] = value;
  return { ...environment, ...settings };
}

/**
 * The Node flags `npm start` runs the gateway with (root package.json), so that
 * the benchmark measures Bentoo as it ships: today the heap cap that keeps its
 * resident memory near its live data (docs/operations.md#memory).
 */
export function gatewayNodeFlags(repositoryRoot) {
  const { scripts } = JSON.parse(readFileSync(join(repositoryRoot, "package.json"), "utf8"));
  const launch = /\bnode((?:\s+--\S+)*)\s+apps\/gateway\/dist\/main\.js/.exec(scripts?.start ?? "");
  if (launch === null)
    throw new Error('package.json\'s "start" script no longer runs "node [flags] apps/gateway/dist/main.js"; update gatewayNodeFlags in bench/lib/targets.mjs');
  return launch[1].trim().split(/\s+/).filter(Boolean);
}

/** With a profile directory in the context, the Node flags that write a CPU profile of the process there, and where. */
function cpuProfile(name, context) {
  if (context.profileDirectory === null) return { profile: null, profileFlags: [] };
  const profile = { path: join(context.profileDirectory, `${name}-${Date.now()}.cpuprofile`), startedAt: Date.now() };
  return { profile, profileFlags: ["--cpu-prof", "--cpu-prof-dir", context.profileDirectory, `--cpu-prof-name=${basename(profile.path)}`] };
}

async function startBentoo(name, upstream, context, databaseUrl, redisUrl) {
  const redisPrefix = `bentoo-bench:${randomBytes(4).toString("hex")}:`;
  const stopGateway = async (handle) => {
    await stopChild(handle);
    if (redisUrl !== null) await deleteRedisKeys(redisUrl, redisPrefix);
  };
  const catalogPath = join(context.workDirectory, `${name}-catalog.json`);
  const prices = { input_price_per_mtok: 1, output_price_per_mtok: 2, context_length: 8192 };
  const catalog = {
    providers: [
      { id: "fake", type: "openai", base_url: upstream.url, api_key_env: null },
      { id: "fake-anthropic", type: "anthropic", base_url: upstream.anthropicUrl, api_key_env: null },
      { id: "fake-gemini", type: "gemini", base_url: upstream.geminiUrl, api_key_env: null },
    ],
    models: [
      { id: BENCH_MODELS.openai, provider: "fake", upstream_model: "bench-model", ...prices },
      { id: BENCH_MODELS.anthropic, provider: "fake-anthropic", upstream_model: "claude-bench", ...prices },
      { id: BENCH_MODELS.gemini, provider: "fake-gemini", upstream_model: "gemini-bench", ...prices },
      {
        id: BENCH_MODELS.embedding,
        kind: "embedding",
        provider: "fake",
        upstream_model: "bench-embed",
        input_price_per_mtok: 0.02,
        context_length: 8191,
        dimensions: 16,
      },
    ],
  };
  writeFileSync(catalogPath, JSON.stringify(catalog));
  const adminToken = randomBytes(24).toString("hex");
  const environment = gatewayEnvironment({
    HOST: "127.0.0.1",
    PORT: "0",
    BENTOO_DATABASE_URL: databaseUrl,
    // Keys of its own on a shared Redis, deleted when the target stops.
    ...(redisUrl === null ? {} : { BENTOO_REDIS_URL: redisUrl, BENTOO_REDIS_PREFIX: redisPrefix }),
    BENTOO_ADMIN_TOKEN: adminToken,
    BENTOO_CATALOG: catalogPath,
    BENTOO_SEED_DEMO: "false",
    // A record journal of its own: a journal directory belongs to one process (two builds may run at once).
    BENTOO_JOURNAL_DIR: join(context.workDirectory, `${name}-${redisPrefix.split(":")[1]}-journal`),
  });
  const { profile, profileFlags } = cpuProfile(name, context);
  const handle = await startChild({
    name,
    args: [...gatewayNodeFlags(context.repositoryRoot), ...profileFlags, join(context.repositoryRoot, "apps/gateway/dist/main.js")],
    env: environment,
    cwd: context.workDirectory,
    logDirectory: context.logDirectory,
    readyPattern: GATEWAY_READY,
  });
  const baseUrl = handle.ready[1];
  const nodeFlags = gatewayNodeFlags(context.repositoryRoot);
  const notes = nodeFlags.length === 0 ? [] : [`started with the Node flags of npm start: ${nodeFlags.join(" ")}`];
  try {
    const call = (method, path, body) => adminCall(baseUrl, adminToken, method, path, body);
    const { accountId, apiKey } = await provisionBenchAccount(call, notes);
    const url = `${baseUrl}/v1/chat/completions`;
    const headers = { ...JSON_HEADERS, authorization: `Bearer ${apiKey}` };
    await checkRateLimitHeaders(url, headers, notes);
    return {
      pid: handle.pid,
      url,
      baseUrl,
      headers,
      notes,
      profile,
      stop: () => stopGateway(handle),
      afterLoad: () => creditsSpent(call, accountId),
      logWarnings: () => warningsIn(handle.logPath),
    };
  } catch (error) {
    await stopGateway(handle);
    throw error;
  }
}

/** A live answer must carry OpenAI's rate-limit headers; without them the run is not "every feature on". */
async function checkRateLimitHeaders(url, headers, notes) {
  const response = await fetch(url, { method: "POST", headers, body: requestBody("json"), signal: AbortSignal.timeout(10_000) });
  await response.text();
  const limit = response.headers.get("x-ratelimit-limit-requests");
  notes.push(
    limit === null ? "WARNING: no x-ratelimit-* headers on a live answer (rate limits off?)" : `rate limits on (x-ratelimit-limit-requests: ${limit})`,
  );
}

async function creditsSpent(call, accountId) {
  const account = await call("GET", `/admin/v1/accounts/${accountId}`);
  return typeof account.balance_micros === "number" ? CREDIT_GRANT_MICROS - account.balance_micros : null;
}

/**
 * How many lines the gateway logged at warn (40) or above, and a summary of
 * the most frequent messages, e.g. `12× provider "fake" could not be reached`.
 */
function warningsIn(logPath) {
  const messages = new Map();
  let count = 0;
  for (const line of readFileSync(logPath, "utf8").split("\n")) {
    if (!line.startsWith("{")) continue;
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // not a log line
    }
    if (typeof entry.level !== "number" || entry.level < 40) continue;
    count++;
    const message = [entry.msg, entry.err?.message].filter(Boolean).join(": ");
    messages.set(message, (messages.get(message) ?? 0) + 1);
  }
  const top = [...messages].sort((a, b) => b[1] - a[1]).slice(0, 3);
  return { count, summary: top.map(([message, times]) => `${times}× ${message}`).join("; ") };
}

async function adminCall(baseUrl, adminToken, method, path, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : JSON_HEADERS), authorization: `Bearer ${adminToken}` },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/**
 * An Enterprise account with every feature on but nothing that can refuse a
 * benchmark request: limits far above any rate this machine reaches (10^9 is
 * the rate limiter's largest accepted value), a huge credit grant, an IP
 * allowlist that admits loopback, and a live key (live keys route to the
 * catalog's provider, the fake upstream).
 */
async function provisionBenchAccount(call, notes) {
  const account = await call("POST", "/admin/v1/accounts", { email: `bench-${randomBytes(4).toString("hex")}@example.com`, plan: "enterprise" });
  const accountPath = `/admin/v1/accounts/${account.id}`;
  await call("PATCH", accountPath, { plan: "enterprise", rpm_limit: 1_000_000_000, tpm_limit: 1_000_000_000 });
  try {
    await call("PATCH", accountPath, { ip_allowlist: ["127.0.0.0/8", "::1/128"] });
    notes.push("IP allowlist 127.0.0.0/8, ::1/128");
  } catch (error) {
    notes.push(`IP allowlist not set: ${error.message}`);
  }
  await call("POST", `${accountPath}/credits`, { amount_micros: CREDIT_GRANT_MICROS });
  const issued = await call("POST", `${accountPath}/keys`, { name: "bench", mode: "live" });
  return { accountId: account.id, apiKey: issued.key };
}
