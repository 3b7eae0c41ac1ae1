import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { SeriesCounter, SeriesHistogram } from "./series-metrics.js";

/**
 * Prometheus metrics (prom-client). One registry per server so tests and
 * several apps in one process never share counters. Labels are bounded: route
 * patterns (not raw URLs), status codes, catalog model ids and provider ids.
 */
export interface Metrics {
  registry: Registry;
  /** inc(route, status, model, provider) */
  requests: SeriesCounter;
  /** observe(seconds, route, status) */
  requestDuration: SeriesHistogram;
  /** observe(seconds, provider, outcome) */
  upstreamDuration: SeriesHistogram;
  /** inc(decision) */
  limiterDecisions: SeriesCounter;
  auditDropped: Gauge;
}

/** What the metrics read at scrape time from the services that count it. */
export interface MetricSources {
  auditQueueDepth: () => number;
  auditDropped: () => number;
  ledgerPending: () => number;
  /** The key verifier's store look-ups since start, by reason. */
  keyStoreLookups: () => { miss: number; bypass: number };
  /** Scale-out mode only: whether the key-cache invalidation channel is live right now. */
  invalidationChannelUp?: (() => boolean) | undefined;
}

export function createMetrics(gauges: MetricSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "bentoo_process_" });
  const metrics: Metrics = {
    registry,
    requests: new SeriesCounter(
      "bentoo_http_requests_total",
      "HTTP requests by route, status, model and provider.",
      ["route", "status", "model", "provider"],
      registry,
    ),
    requestDuration: new SeriesHistogram(
      "bentoo_http_request_duration_seconds",
      "Time to the end of the response (whole stream included).",
      ["route", "status"],
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registry,
    ),
    upstreamDuration: new SeriesHistogram(
      "bentoo_upstream_duration_seconds",
      "Upstream provider time until the answer (or the end of the stream).",
      ["provider", "outcome"],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registry,
    ),
    limiterDecisions: new SeriesCounter("bentoo_limiter_decisions_total", "Rate-limit and credit decisions.", ["decision"], registry),
    auditDropped: new Gauge({
      name: "bentoo_audit_records_dropped",
      help: "Audit records dropped because the queue was full (since start).",
      registers: [registry],
      collect() {
        this.set(gauges.auditDropped());
      },
    }),
  };
  new Gauge({
    name: "bentoo_audit_queue_depth",
    help: "Audit records waiting to be written.",
    registers: [registry],
    collect() {
      this.set(gauges.auditQueueDepth());
    },
  });
  new Gauge({
    name: "bentoo_ledger_pending_rows",
    help: "Credit ledger rows waiting to be written.",
    registers: [registry],
    collect() {
      this.set(gauges.ledgerPending());
    },
  });
  new Counter({
    name: "bentoo_key_store_lookups_total",
    help: 'Database look-ups of API keys (requests that share one count once): reason "miss" (not in the key cache) or "bypass" (the cache was not trusted: the invalidation channel was down).',
    labelNames: ["reason"],
    registers: [registry],
    collect() {
      const counts = gauges.keyStoreLookups();
      this.reset();
      this.inc({ reason: "miss" }, counts.miss);
      this.inc({ reason: "bypass" }, counts.bypass);
    },
  });
  const channelUp = gauges.invalidationChannelUp;
  if (channelUp !== undefined)
    new Gauge({
      name: "bentoo_key_invalidation_channel_up",
      help: "1 while the key-cache invalidation channel (Redis pub/sub) is live, 0 while keys are looked up in the database instead.",
      registers: [registry],
      collect() {
        this.set(channelUp() ? 1 : 0);
      },
    });
  return metrics;
}
