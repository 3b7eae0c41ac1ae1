import type { ApiKey } from "../../api/types";
import { Badge, type BadgeTone } from "../../components/badge";
import { Sparkline } from "../../components/sparkline";
import { formatDate, formatDateTime, formatNumber, formatRelative, formatUsdExact, maskedKey } from "../../lib/format";
import { PERIOD_LABELS, restrictionSummary } from "../../lib/key-controls";

export type KeyAction = "edit" | "roll" | "revoke";

interface KeyRowProps {
  apiKey: ApiKey;
  /** The key that replaced this one in a roll, while this one is still in its grace period. */
  replacedBy: ApiKey | null;
  /** The key this one replaced. */
  replaces: ApiKey | null;
  sparkline: readonly number[] | undefined;
  onAction: (action: KeyAction, key: ApiKey) => void;
}

const STATUS_TONE: Record<ApiKey["status"], BadgeTone> = { active: "green", revoked: "red", expired: "neutral" };

/** The spend cap's use this period: spent of cap, with a meter; "—" without a cap. */
function BudgetCell({ apiKey }: { apiKey: ApiKey }) {
  const cap = apiKey.spend_cap;
  const spend = apiKey.spend;
  if (cap === null || spend === null) return <span className="muted">—</span>;
  const reached = spend.remaining_micros === 0;
  return (
    <span className="budget" title={spend.resets_at === null ? "No period: the cap never starts again" : `Starts again ${formatDateTime(spend.resets_at)}`}>
      <span className="budget-amounts">
        {formatUsdExact(spend.spent_micros)} <span className="muted">of {formatUsdExact(cap.amount_micros)}</span>
      </span>
      <meter
        min={0}
        max={Math.max(cap.amount_micros, 1)}
        value={Math.min(spend.spent_micros, cap.amount_micros)}
        high={cap.amount_micros * 0.8}
        optimum={0}
        aria-label="Budget used"
      />
      <span className={reached ? "budget-note budget-reached" : "budget-note muted"}>{reached ? "Budget reached" : PERIOD_LABELS[cap.period]}</span>
    </span>
  );
}

export function KeyRow({ apiKey, replacedBy, replaces, sparkline, onAction }: KeyRowProps) {
  const active = apiKey.status === "active";
  const label = `${apiKey.name} ${maskedKey(apiKey.key_id)}`;
  const restrictions = restrictionSummary(apiKey);
  return (
    <tr data-testid="key-row" data-key-id={apiKey.key_id} data-status={apiKey.status} className={active ? undefined : "row-inactive"}>
      <th scope="row" className="cell-name">
        <span className="key-name">{apiKey.name}</span>
        {replacedBy !== null && <span className="row-note">Rolling: replaced by {maskedKey(replacedBy.key_id)}</span>}
        {replacedBy === null && replaces !== null && <span className="row-note muted">Replaces {maskedKey(replaces.key_id)}</span>}
        {restrictions !== null && (
          <span className="row-note muted" data-testid="key-restrictions">
            {restrictions}
          </span>
        )}
      </th>
      <td className="nowrap">
        <code className="key-mask">{maskedKey(apiKey.key_id)}</code> <Badge tone={apiKey.mode === "live" ? "blue" : "amber"}>{apiKey.mode}</Badge>
      </td>
      <td className="nowrap">
        <span data-testid="key-last-used" title={apiKey.last_used_at === null ? undefined : formatDateTime(apiKey.last_used_at)}>
          {apiKey.last_used_at === null ? <span className="muted">Never</span> : formatRelative(apiKey.last_used_at)}
        </span>
        <span className="row-note muted" title={formatDateTime(apiKey.created_at)}>
          created {formatDate(apiKey.created_at)}
        </span>
      </td>
      <td className="cell-traffic">
        <span className="traffic" data-testid="key-requests">
          <span title="Requests in the last hour">{formatNumber(apiKey.requests_last_hour ?? 0)}</span>
          <span className="muted"> / </span>
          <span title="Requests in the last 24 hours">{formatNumber(apiKey.requests_last_24h ?? 0)}</span>
        </span>
        {sparkline !== undefined && <Sparkline values={sparkline} />}
      </td>
      <td data-testid="key-budget">
        <BudgetCell apiKey={apiKey} />
      </td>
      <td className="nowrap" title={apiKey.expires_at === null ? undefined : `Expires ${formatDateTime(apiKey.expires_at)}`}>
        <Badge tone={STATUS_TONE[apiKey.status]}>{apiKey.status}</Badge>
        {apiKey.status === "active" && apiKey.expires_at !== null && <span className="row-note muted">expires {formatRelative(apiKey.expires_at)}</span>}
      </td>
      <td className="cell-actions">
        {active && replacedBy !== null && (
          <button type="button" className="button button-small button-danger" onClick={() => onAction("revoke", apiKey)} aria-label={`Revoke now: ${label}`}>
            Revoke now
          </button>
        )}
        {active && (
          <>
            <button type="button" className="button button-small" onClick={() => onAction("edit", apiKey)} aria-label={`Edit ${label}`}>
              Edit
            </button>
            {replacedBy === null && (
              <>
                <button type="button" className="button button-small" onClick={() => onAction("roll", apiKey)} aria-label={`Roll ${label}`}>
                  Roll
                </button>
                <button
                  type="button"
                  className="button button-small button-danger-ghost"
                  onClick={() => onAction("revoke", apiKey)}
                  aria-label={`Revoke ${label}`}
                >
                  Revoke
                </button>
              </>
            )}
          </>
        )}
      </td>
    </tr>
  );
}
