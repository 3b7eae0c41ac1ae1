import type { ApiKey } from "../../api/types";
import { Badge, type BadgeTone } from "../../components/badge";
import { Sparkline } from "../../components/sparkline";
import { formatDate, formatDateTime, formatNumber, formatRelative, maskedKey } from "../../lib/format";

export type KeyAction = "rename" | "roll" | "revoke";

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

export function KeyRow({ apiKey, replacedBy, replaces, sparkline, onAction }: KeyRowProps) {
  const active = apiKey.status === "active";
  const label = `${apiKey.name} ${maskedKey(apiKey.key_id)}`;
  return (
    <tr data-testid="key-row" data-key-id={apiKey.key_id} data-status={apiKey.status} className={active ? undefined : "row-inactive"}>
      <th scope="row" className="cell-name">
        <span className="key-name">{apiKey.name}</span>
        {replacedBy !== null && <span className="row-note">Rolling: replaced by {maskedKey(replacedBy.key_id)}</span>}
        {replacedBy === null && replaces !== null && <span className="row-note muted">Replaces {maskedKey(replaces.key_id)}</span>}
      </th>
      <td>
        <code className="key-mask">{maskedKey(apiKey.key_id)}</code>
      </td>
      <td>
        <Badge tone={apiKey.mode === "live" ? "blue" : "amber"}>{apiKey.mode}</Badge>
      </td>
      <td className="nowrap" title={formatDateTime(apiKey.created_at)}>
        {formatDate(apiKey.created_at)}
      </td>
      <td className="nowrap" data-testid="key-last-used" title={apiKey.last_used_at === null ? undefined : formatDateTime(apiKey.last_used_at)}>
        {apiKey.last_used_at === null ? <span className="muted">Never</span> : formatRelative(apiKey.last_used_at)}
      </td>
      <td className="cell-traffic">
        <span className="traffic" data-testid="key-requests">
          <span title="Requests in the last hour">{formatNumber(apiKey.requests_last_hour ?? 0)}</span>
          <span className="muted"> / </span>
          <span title="Requests in the last 24 hours">{formatNumber(apiKey.requests_last_24h ?? 0)}</span>
        </span>
        {sparkline !== undefined && <Sparkline values={sparkline} />}
      </td>
      <td>
        <Badge tone={STATUS_TONE[apiKey.status]}>{apiKey.status}</Badge>
      </td>
      <td className="nowrap" title={apiKey.expires_at === null ? undefined : formatDateTime(apiKey.expires_at)}>
        {apiKey.status === "revoked" ? (
          <span className="muted">—</span>
        ) : apiKey.expires_at === null ? (
          <span className="muted">Never</span>
        ) : (
          formatRelative(apiKey.expires_at)
        )}
      </td>
      <td className="cell-actions">
        {active && replacedBy !== null && (
          <button type="button" className="button button-small button-danger" onClick={() => onAction("revoke", apiKey)} aria-label={`Revoke now: ${label}`}>
            Revoke now
          </button>
        )}
        {active && (
          <>
            <button type="button" className="button button-small" onClick={() => onAction("rename", apiKey)} aria-label={`Rename ${label}`}>
              Rename
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
