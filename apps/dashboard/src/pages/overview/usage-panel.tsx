import { useId, useMemo, useState } from "react";
import type { UsageBucket } from "../../api/types";
import { EmptyState } from "../../components/empty-state";
import { UsageChart } from "../../components/usage-chart";
import { formatCompact, formatNumber, formatUsd } from "../../lib/format";
import { bucketStarts, denseSeries, totalsOf, type UsageMetric, type UsageWindow } from "../../lib/usage";
import { Link } from "../../router/link";

const METRICS: ReadonlyArray<{ id: UsageMetric; label: string; format: (value: number) => string }> = [
  { id: "requests", label: "Requests", format: formatCompact },
  { id: "tokens", label: "Tokens", format: formatCompact },
  { id: "cost", label: "Cost", format: formatUsd },
];

/** One time window of usage: totals, a metric switch (a radio group) and the chart. */
export function UsagePanel({ title, range, buckets }: { title: string; range: UsageWindow; buckets: readonly UsageBucket[] }) {
  const [metric, setMetric] = useState<UsageMetric>("requests");
  const headingId = useId();
  const totals = totalsOf(buckets);
  const starts = useMemo(() => bucketStarts(range), [range]);
  const values = useMemo(() => denseSeries(buckets, starts, metric), [buckets, starts, metric]);
  const chosen = METRICS.find((entry) => entry.id === metric) ?? METRICS[0]!;
  const unit = range.granularity === "hour" ? "hour" : "day";
  const peak = Math.max(0, ...values);

  return (
    <section className="card panel" aria-labelledby={headingId} data-testid={`usage-${range.granularity}`}>
      <div className="panel-header">
        <h2 id={headingId}>{title}</h2>
        <fieldset className="segmented">
          <legend className="visually-hidden">Metric for {title.toLowerCase()}</legend>
          {METRICS.map((entry) => (
            <label key={entry.id} className={entry.id === metric ? "segment segment-active" : "segment"}>
              <input type="radio" name={`${headingId}-metric`} value={entry.id} checked={entry.id === metric} onChange={() => setMetric(entry.id)} />
              {entry.label}
            </label>
          ))}
        </fieldset>
      </div>
      <dl className="totals">
        <div>
          <dt>Requests</dt>
          <dd>{formatNumber(totals.requests)}</dd>
        </div>
        <div>
          <dt>Tokens</dt>
          <dd>{formatNumber(totals.tokens)}</dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd>{formatUsd(totals.costMicros)}</dd>
        </div>
        <div>
          <dt>Errors</dt>
          <dd>{formatNumber(totals.errors)}</dd>
        </div>
      </dl>
      {totals.requests === 0 ? (
        <EmptyState title="No requests in this period">
          Create a key in <Link to="/settings/api-keys">Settings → API Keys</Link> and send a request; it shows up here.
        </EmptyState>
      ) : (
        <UsageChart
          timestamps={starts}
          values={values}
          seriesLabel={chosen.label}
          format={chosen.format}
          granularity={range.granularity}
          summary={`${chosen.label} per ${unit}, ${title.toLowerCase()}: total ${chosen.format(values.reduce((sum, value) => sum + value, 0))}, peak ${chosen.format(peak)} in one ${unit}.`}
        />
      )}
    </section>
  );
}
