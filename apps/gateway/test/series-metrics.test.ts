import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { SeriesCounter, SeriesHistogram } from "../src/infra/series-metrics.js";

/** The request path's counters and histograms must read exactly like prom-client's own. */
describe("series metrics", () => {
  const BOUNDS = [0.001, 0.01, 0.1, 1];

  function pair() {
    const ours = new Registry();
    const theirs = new Registry();
    return {
      ours,
      theirs,
      counter: [
        new SeriesCounter("t_requests_total", "Requests.", ["route", "status", "model", "provider"], ours),
        new Counter({ name: "t_requests_total", help: "Requests.", labelNames: ["route", "status", "model", "provider"], registers: [theirs] }),
      ] as const,
      single: [
        new SeriesCounter("t_decisions_total", "Decisions.", ["decision"], ours),
        new Counter({ name: "t_decisions_total", help: "Decisions.", labelNames: ["decision"], registers: [theirs] }),
      ] as const,
      histogram: [
        new SeriesHistogram("t_duration_seconds", "Durations.", ["route", "status"], BOUNDS, ours),
        new Histogram({ name: "t_duration_seconds", help: "Durations.", labelNames: ["route", "status"], buckets: BOUNDS, registers: [theirs] }),
      ] as const,
    };
  }

  it("print the same Prometheus text as prom-client for the same calls", async () => {
    const { ours, theirs, counter, single, histogram } = pair();
    const routes = ["/v1/chat/completions", "/v1/models", 'odd "route"\\\n'];
    // Values on the bounds too: a bucket's bound is inclusive (le).
    const durations = [0.0004, 0.001, 0.005, 0.01, 0.5, 1, 3, 0.02];
    durations.forEach((seconds, index) => {
      const route = routes[index % routes.length]!;
      const status = index % 3 === 0 ? "200" : "429";
      counter[0].inc(route, status, index % 2 === 0 ? "openai/gpt-6-luna" : "", "sandbox");
      counter[1].inc({ route, status, model: index % 2 === 0 ? "openai/gpt-6-luna" : "", provider: "sandbox" });
      single[0].inc(index % 4 === 0 ? "allowed" : "rate_limited_requests");
      single[1].inc({ decision: index % 4 === 0 ? "allowed" : "rate_limited_requests" });
      histogram[0].observe(seconds, route, status);
      histogram[1].observe({ route, status }, seconds);
    });
    const text = await ours.metrics();
    expect(text).toBe(await theirs.metrics());
    expect(text).toContain('t_duration_seconds_bucket{le="0.01",route="/v1/models",status="429"} 1');
    expect(text).toContain('t_decisions_total{decision="allowed"} 2');

    ours.resetMetrics();
    theirs.resetMetrics();
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it("ignore a duration that is not a finite number instead of failing the request", async () => {
    const registry = new Registry();
    const histogram = new SeriesHistogram("t_seconds", "Durations.", ["route", "status"], BOUNDS, registry);
    histogram.observe(Number.NaN, "/x", "200");
    histogram.observe(0.5, "/x", "200");
    expect(await registry.metrics()).toContain('t_seconds_count{route="/x",status="200"} 1');
  });
});
