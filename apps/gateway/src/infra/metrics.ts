import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Prometheus metrics (prom-client). One registry per server so tests and
 * several apps in one process never share counters. Labels are bounded: route
 * patterns (not raw URLs), status codes, catalog model ids and provider ids.
 */
export interface Metrics {
  registry: Registry;
  requests: Counter<"route" | "status" | "model" | "provider">;
  requestDuration: Histogram<"route" | "status">;
  upstreamDuration: Histogram<"provider" | "outcome">;
  limiterDecisions: Counter<"decision">;
  auditDropped: Gauge;
}

export function createMetrics(gauges: { auditQueueDepth: () => number; auditDropped: () => number; ledgerPending: () => number }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "bentoo_process_" });
  const metrics: Metrics = {
    registry,
    requests: new Counter({ name: "bentoo_http_requests_total", help: "HTTP requests by route, status, model and provider.", labelNames: ["route", "status", "model", "provider"], registers: [registry] }),
    requestDuration: new Histogram({
      name: "bentoo_http_request_duration_seconds",
      help: "Time to the end of the response (whole stream included).",
      labelNames: ["route", "status"],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    upstreamDuration: new Histogram({
      name: "bentoo_upstream_duration_seconds",
      help: "Upstream provider time until the answer (or the end of the stream).",
      labelNames: ["provider", "outcome"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    limiterDecisions: new Counter({ name: "bentoo_limiter_decisions_total", help: "Rate-limit and credit decisions.", labelNames: ["decision"], registers: [registry] }),
    auditDropped: new Gauge({ name: "bentoo_audit_records_dropped", help: "Audit records dropped because the queue was full (since start).", registers: [registry], collect() { this.set(gauges.auditDropped()); } }),
  };
  new Gauge({ name: "bentoo_audit_queue_depth", help: "Audit records waiting to be written.", registers: [registry], collect() { this.set(gauges.auditQueueDepth()); } });
  new Gauge({ name: "bentoo_ledger_pending_rows", help: "Credit ledger rows waiting to be written.", registers: [registry], collect() { this.set(gauges.ledgerPending()); } });
  return metrics;
}
