import { api } from "../../api/client";
import type { UsageBucket } from "../../api/types";
import { ErrorState } from "../../components/error-state";
import { LoadingState } from "../../components/loading-state";
import { StatCard } from "../../components/stat-card";
import { formatCompact, formatNumber, formatUsd, planName } from "../../lib/format";
import { lastWindow, topEntries, totalsOf, type UsageWindow } from "../../lib/usage";
import { useAsync } from "../../lib/use-async";
import { Link } from "../../router/link";
import { useAccount } from "../../session/session-context";
import { TopTable } from "./top-table";
import { UsagePanel } from "./usage-panel";

interface OverviewData {
  day: { window: UsageWindow; buckets: UsageBucket[] };
  month: { window: UsageWindow; buckets: UsageBucket[] };
  byModel: UsageBucket[];
  byKey: UsageBucket[];
}

async function loadOverview(): Promise<OverviewData> {
  const day = lastWindow("hour", 24);
  const month = lastWindow("day", 30);
  const range = (window: UsageWindow) => ({
    start: new Date(window.start).toISOString(),
    end: new Date(window.end).toISOString(),
    granularity: window.granularity,
  });
  const [dayUsage, monthUsage, byModel, byKey] = await Promise.all([
    api.usage({ ...range(day), group_by: "none" }),
    api.usage({ ...range(month), group_by: "none" }),
    api.usage({ ...range(month), group_by: "model" }),
    api.usage({ ...range(month), group_by: "key" }),
  ]);
  return { day: { window: day, buckets: dayUsage.data }, month: { window: month, buckets: monthUsage.data }, byModel: byModel.data, byKey: byKey.data };
}

export function OverviewPage() {
  const account = useAccount();
  const { state, reload } = useAsync(loadOverview, []);
  const day = state.status === "ready" ? totalsOf(state.data.day.buckets) : null;
  const cap = account.limits.max_active_keys;

  return (
    <>
      <div className="page-header">
        <h1>Overview</h1>
        <Link to="/settings/api-keys" className="button button-primary">
          Manage API keys
        </Link>
      </div>
      <div className="stat-grid">
        <StatCard
          label="Credit balance"
          value={formatUsd(account.balance_micros)}
          detail="Live keys spend credits; test keys are free."
          testId="stat-balance"
        />
        <StatCard
          label="Plan"
          value={planName(account.plan)}
          detail={`${formatNumber(account.limits.requests_per_minute)} requests/min · ${formatCompact(account.limits.tokens_per_minute)} tokens/min`}
          testId="stat-plan"
        />
        <StatCard
          label="Active keys"
          value={cap === null ? formatNumber(account.active_keys) : `${account.active_keys} of ${cap}`}
          detail={cap === null ? "Unlimited on this plan" : `The ${planName(account.plan)} plan allows ${cap}`}
        />
        <StatCard
          label="Requests, last 24 h"
          value={day === null ? "…" : formatNumber(day.requests)}
          detail={day === null ? undefined : `${formatCompact(day.tokens)} tokens · ${formatUsd(day.costMicros)}`}
          testId="stat-requests-24h"
        />
      </div>

      {state.status === "loading" && <LoadingState label="Loading usage…" />}
      {state.status === "error" && <ErrorState error={state.error} title="Usage could not be loaded" onRetry={() => void reload()} />}
      {state.status === "ready" && (
        <>
          <div className="panel-grid">
            <UsagePanel title="Last 24 hours" range={state.data.day.window} buckets={state.data.day.buckets} />
            <UsagePanel title="Last 30 days" range={state.data.month.window} buckets={state.data.month.buckets} />
          </div>
          <div className="panel-grid">
            <TopTable title="Top models, last 30 days" entries={topEntries(state.data.byModel, "model")} kind="Model" />
            <TopTable title="Top keys, last 30 days" entries={topEntries(state.data.byKey, "key")} kind="Key" />
          </div>
        </>
      )}
    </>
  );
}
