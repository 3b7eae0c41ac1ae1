import type { Metric, Registry } from "prom-client";

// Counters and histograms for the request path, read by prom-client's registry
// at scrape time like its own metrics, with the same text out (a test compares
// them). prom-client's `inc({labels})` and `observe({labels}, v)` validate and
// hash a label object on every call, four times a request; here a call is one
// Map lookup by the label values (docs/performance.md, "Request metrics").

interface Series {
  labels: Record<string, string>;
  value: number;
}

interface HistogramSeries {
  labels: Record<string, string>;
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

const SEPARATOR = "\u0000";

function labelsOf(names: readonly string[], values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [index, name] of names.entries()) labels[name] = values[index] ?? "";
  return labels;
}

abstract class SeriesMetric<S> {
  readonly aggregator = "sum";
  protected readonly series = new Map<string, S>();

  constructor(
    readonly name: string,
    readonly help: string,
    protected readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  protected labels(values: readonly string[]): Record<string, string> {
    return labelsOf(this.labelNames, values);
  }

  /** Registry.resetMetrics() */
  reset(): void {
    this.series.clear();
  }
}

/** A counter by up to four label values, in `labelNames` order. */
export class SeriesCounter extends SeriesMetric<Series> {
  readonly type = "counter";

  inc(a: string, b = "", c = "", d = ""): void {
    const key = a + SEPARATOR + b + SEPARATOR + c + SEPARATOR + d;
    const series = this.series.get(key);
    if (series !== undefined) series.value += 1;
    else this.series.set(key, { labels: this.labels([a, b, c, d]), value: 1 });
  }

  async get() {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: [...this.series.values()].map(({ labels, value }) => ({ labels, value })),
    };
  }
}

/** A histogram by up to two label values, in `labelNames` order. */
export class SeriesHistogram extends SeriesMetric<HistogramSeries> {
  readonly type = "histogram";

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    super(name, help, labelNames, registry);
  }

  observe(value: number, a: string, b = ""): void {
    if (!Number.isFinite(value)) return;
    const key = a + SEPARATOR + b;
    let series = this.series.get(key);
    if (series === undefined) {
      series = { labels: this.labels([a, b]), counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]!) bucket += 1;
    series.counts[bucket]! += 1;
    series.sum += value;
    series.count += 1;
  }

  async get() {
    const values: Array<{ labels: Record<string, string | number>; sharedLabels: Record<string, string>; value: number; metricName: string }> = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((bound, index) => {
        cumulative += counts[index]!;
        values.push({ labels: { le: bound }, sharedLabels: labels, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: "+Inf" }, sharedLabels: labels, value: count, metricName: `${this.name}_bucket` });
      values.push({ labels: {}, sharedLabels: labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: labels, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
