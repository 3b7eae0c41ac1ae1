// Command-line options of bench/run.mjs, checked once before anything starts.
import { parseArgs } from "node:util";

export const USAGE = `Usage: node bench/run.mjs [options]

  --duration <s>          seconds of load per scenario (default 10; --smoke: 2)
  --rounds <n>            split each scenario's load into n rounds, interleaved across the
                          targets; medians are reported (default 4; --smoke: 1)
  --warmup <s>            seconds of untimed load of each kind before a target is measured (default 2; --smoke: 0.5)
  --connections <n>       concurrent connections under load (default 50)
  --requests <n>          sequential requests for unloaded latency (default 2000; --smoke: 200)
  --smoke                 short CI run: 2 s scenarios, no 20 ms upstream delay, fewer requests
  --out <file>            JSON results (default bench/results/latest.json; --smoke: bench/results/smoke.json)
  --postgres-url <url>    server on which to create and drop a bench database
                          (default $BENTOO_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --redis-url <url>       (default $BENTOO_TEST_REDIS_URL or redis://127.0.0.1:6379)
  --no-postgres           skip the Postgres+Redis target
  --only <ids>            comma-separated subset of bare,fastify,lean,embedded,lean-postgres,postgres (direct always runs)
  --load-generator <name> autocannon or wrk (default: autocannon when installed, else wrk)
  --profile               run Bentoo and the feature floor under --cpu-prof; profiles go to bench/results/profiles/
  --help
`;

export class UsageError extends Error {}

function positiveNumber(raw, name, { integer = false } = {}) {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be a positive ${integer ? "integer" : "number"} (got "${raw}")`);
  }
  return value;
}

export function parseOptions(argv, environment) {
  try {
    return checkedOptions(argv, environment);
  } catch (error) {
    if (typeof error?.code === "string" && error.code.startsWith("ERR_PARSE_ARGS")) throw new UsageError(error.message);
    throw error;
  }
}

function checkedOptions(argv, environment) {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: "string" },
      rounds: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string", default: "50" },
      requests: { type: "string" },
      smoke: { type: "boolean", default: false },
      out: { type: "string" },
      "postgres-url": { type: "string" },
      "redis-url": { type: "string" },
      "no-postgres": { type: "boolean", default: false },
      only: { type: "string" },
      "load-generator": { type: "string" },
      profile: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  const smoke = values.smoke;
  const loadGenerator = values["load-generator"];
  if (loadGenerator !== undefined && loadGenerator !== "autocannon" && loadGenerator !== "wrk") {
    throw new UsageError(`--load-generator must be autocannon or wrk (got "${loadGenerator}")`);
  }
  const only = values.only === undefined ? null : values.only.split(",").map((id) => id.trim());
  for (const id of only ?? [])
    if (!["direct", "bare", "fastify", "lean", "embedded", "lean-postgres", "postgres"].includes(id)) throw new UsageError(`--only: unknown target "${id}"`);
  const requests = positiveNumber(values.requests ?? (smoke ? "200" : "2000"), "requests", { integer: true });
  return {
    help: values.help,
    smoke,
    durationSeconds: positiveNumber(values.duration ?? (smoke ? "2" : "10"), "duration"),
    rounds: positiveNumber(values.rounds ?? (smoke ? "1" : "4"), "rounds", { integer: true }),
    warmupSeconds: positiveNumber(values.warmup ?? (smoke ? "0.5" : "2"), "warmup"),
    connections: positiveNumber(values.connections, "connections", { integer: true }),
    sequentialRequests: requests,
    sequentialWarmup: Math.max(20, Math.round(requests / 10)),
    delaysMs: smoke ? [0] : [0, 20],
    out: values.out ?? (smoke ? "bench/results/smoke.json" : "bench/results/latest.json"),
    postgresUrl: values["postgres-url"] ?? defaultServiceUrls(environment).postgresUrl,
    redisUrl: values["redis-url"] ?? defaultServiceUrls(environment).redisUrl,
    postgres: !values["no-postgres"] && (only === null || only.includes("postgres")),
    only,
    loadGenerator,
    profile: values.profile,
  };
}

/** Where the Postgres + Redis target goes unless told otherwise (the tests' variables, else this machine's services). */
export function defaultServiceUrls(environment = process.env) {
  return {
    postgresUrl: environment.BENTOO_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    redisUrl: environment.BENTOO_TEST_REDIS_URL ?? "redis://127.0.0.1:6379",
  };
}
