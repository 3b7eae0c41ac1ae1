import { useEffect, useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { WebhookDelivery, WebhookEndpoint } from "../../api/types";
import { Alert } from "../../components/alert";
import { Badge } from "../../components/badge";
import { Dialog } from "../../components/dialog";
import { EmptyState } from "../../components/empty-state";
import { ErrorState } from "../../components/error-state";
import { LoadingState } from "../../components/loading-state";
import { formatDateTime } from "../../lib/format";
import { asApiError, useAsync } from "../../lib/use-async";

const STATUS_TONE = { pending: "amber", succeeded: "green", failed: "red" } as const;

/** An endpoint's delivery log, newest first, refreshed every few seconds while open; a delivery can be sent again. */
export function DeliveriesDialog({ endpoint, onClose }: { endpoint: WebhookEndpoint; onClose: () => void }) {
  const log = useAsync(() => api.webhookDeliveries(endpoint.id), [endpoint.id]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const { reload } = log;

  useEffect(() => {
    const timer = setInterval(() => void reload(), 2000);
    return () => clearInterval(timer);
  }, [reload]);

  const redeliver = async (delivery: WebhookDelivery) => {
    setBusy(delivery.id);
    setError(null);
    try {
      await api.redeliverWebhook(endpoint.id, delivery.id);
      await reload();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Dialog title={`Deliveries to ${endpoint.url}`} onClose={onClose} wide testId="webhook-deliveries-dialog">
      {error !== null && <Alert tone="error">{error.message}</Alert>}
      {log.state.status === "loading" && <LoadingState label="Loading deliveries…" />}
      {log.state.status === "error" && <ErrorState error={log.state.error} onRetry={() => void reload()} />}
      {log.state.status === "ready" && log.state.data.data.length === 0 && (
        <EmptyState title="No deliveries yet">Deliveries appear here as soon as a subscribed event happens.</EmptyState>
      )}
      {log.state.status === "ready" && log.state.data.data.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Webhook deliveries">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last attempt</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {log.state.data.data.map((delivery) => (
                <tr key={delivery.id} data-testid="webhook-delivery-row" data-status={delivery.status}>
                  <th scope="row">
                    <code>{delivery.event_type}</code>
                    <span className="row-note muted">{delivery.message_id}</span>
                    <details>
                      <summary>Payload</summary>
                      <pre className="payload">{delivery.payload}</pre>
                    </details>
                  </th>
                  <td>
                    <Badge tone={STATUS_TONE[delivery.status]}>{delivery.status}</Badge>
                    {delivery.next_attempt_at !== null && <span className="row-note">next try {formatDateTime(delivery.next_attempt_at)}</span>}
                  </td>
                  <td className="numeric">{delivery.attempts}</td>
                  <td>
                    {formatDateTime(delivery.last_attempt_at)}
                    {delivery.last_status_code !== null && <span className="row-note muted">HTTP {delivery.last_status_code}</span>}
                    {delivery.last_error !== null && <span className="row-note">{delivery.last_error}</span>}
                  </td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="button button-small"
                      disabled={busy !== null}
                      onClick={() => void redeliver(delivery)}
                      aria-label={`Redeliver ${delivery.event_type} ${delivery.message_id}`}
                    >
                      {busy === delivery.id ? "Sending…" : "Redeliver"}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Dialog>
  );
}
