// PostgreSQL and Redis for the "bentoo postgres+redis" target: probe both, and
// give the gateway a database of its own that is dropped afterwards.
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import pg from "pg";

async function withClient(url, work) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000, query_timeout: 30_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Null when PostgreSQL answers `select 1`, else why not. */
export async function postgresProblem(url) {
  try {
    await withClient(url, (client) => client.query("select 1"));
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  }
}

/** Null when Redis answers PING within 2 s, else why not. */
export function redisProblem(url) {
  let address;
  try {
    address = new URL(url);
  } catch {
    return Promise.resolve(`not a URL: ${url}`);
  }
  return new Promise((resolve) => {
    const socket = connect({ host: address.hostname || "127.0.0.1", port: Number(address.port || 6379) });
    const finish = (problem) => {
      socket.destroy();
      resolve(problem);
    };
    socket.setTimeout(2000, () => finish("no answer within 2 s"));
    socket.once("error", (error) => finish(error.message));
    // Redis answers -NOAUTH when a password is needed, which still proves it is there.
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) =>
      finish(/^(\+PONG|-NOAUTH)/.test(data.toString()) ? null : `unexpected answer ${JSON.stringify(data.toString().slice(0, 40))}`),
    );
  });
}

/**
 * Creates `bentoo_bench_<random>` through the server that `adminUrl` points at and
 * returns its URL and a `drop()` (which also disconnects whatever is left).
 */
export async function createBenchDatabase(adminUrl) {
  const name = `bentoo_bench_${randomBytes(5).toString("hex")}`;
  await withClient(adminUrl, (client) => client.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withClient(adminUrl, (client) => client.query(`drop database if exists ${name} with (force)`)),
  };
}
