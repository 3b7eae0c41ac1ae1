// Unloaded latency: one keep-alive connection, one request at a time, timed with
// the monotonic clock. For a stream, time to first byte is when the first body
// chunk arrives (not the headers: a proxy may send those before the upstream
// has answered). The client's own cost is the same for every target, so it
// cancels out of "added latency" (target minus direct).
import { Client, request } from "undici";

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, fraction) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)];
}

function summarise(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

/**
 * Sequential requests to one target over one connection, measured in slices
 * so that the caller can interleave targets: noise on a shared machine then
 * falls on all of them alike instead of on whichever ran at a bad moment.
 */
export class SequentialProbe {
  #target;
  #client;
  #headers;
  #body;
  #totals = [];
  #firstBytes = [];
  #failures = 0;

  constructor({ url, headers, body }) {
    this.#target = new URL(url);
    this.#headers = headers;
    this.#body = body;
    this.#client = new Client(this.#target.origin, { pipelining: 1, keepAliveTimeout: 60_000, headersTimeout: 10_000, bodyTimeout: 10_000 });
  }

  async #once(record) {
    const started = process.hrtime.bigint();
    const response = await this.#client.request({ method: "POST", path: this.#target.pathname, headers: this.#headers, body: this.#body });
    let firstByte = null;
    for await (const _chunk of response.body) firstByte ??= process.hrtime.bigint();
    const ended = process.hrtime.bigint();
    if (response.statusCode !== 200) this.#failures++;
    if (!record) return;
    this.#totals.push(Number(ended - started) / 1e6);
    this.#firstBytes.push(Number((firstByte ?? ended) - started) / 1e6);
  }

  /** `count` untimed requests (failures still count). */
  async warm(count, deadline) {
    for (let index = 0; index < count && Date.now() < deadline; index++) await this.#once(false);
  }

  /** `count` timed requests, fewer if `deadline` (epoch ms) passes first. */
  async measure(count, deadline) {
    for (let index = 0; index < count && Date.now() < deadline; index++) await this.#once(true);
  }

  summary() {
    const total = summarise(this.#totals);
    const firstByte = summarise(this.#firstBytes);
    return { count: this.#totals.length, failures: this.#failures, p50Ms: total.p50, p99Ms: total.p99, ttfbP50Ms: firstByte.p50, ttfbP99Ms: firstByte.p99 };
  }

  close() {
    return this.#client.close();
  }
}

/**
 * One request to check that a target answers 200 before loading it; returns the
 * number of SSE events (`data:` lines) in the answer, 0 for JSON.
 */
export async function probeTarget({ url, headers, body }) {
  const response = await request(url, { method: "POST", headers, body, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}: ${text.slice(0, 500)}`);
  return text.split("\n").filter((line) => line.startsWith("data:")).length;
}
