import { useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { WebhookEndpoint } from "../../api/types";
import { Alert } from "../../components/alert";
import { Badge } from "../../components/badge";
import { Dialog } from "../../components/dialog";
import { EmptyState } from "../../components/empty-state";
import { ErrorState } from "../../components/error-state";
import { LoadingState } from "../../components/loading-state";
import { asApiError, useAsync } from "../../lib/use-async";
import { CreateWebhookDialog } from "./create-webhook-dialog";
import { DeliveriesDialog } from "./deliveries-dialog";
import { LowBalanceForm } from "./low-balance-form";
import { RollSecretDialog } from "./roll-secret-dialog";

type Open = { kind: "create" } | { kind: "log" | "roll" | "delete"; endpoint: WebhookEndpoint } | null;

/** Settings → Webhooks: endpoints (add, disable, roll the secret, delete, delivery log) and the low-balance alert. */
export function WebhooksPage() {
  const endpoints = useAsync(() => api.listWebhooks(), []);
  const [open, setOpen] = useState<Open>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const reload = () => void endpoints.reload();

  const setEnabled = async (endpoint: WebhookEndpoint, enabled: boolean) => {
    setError(null);
    try {
      await api.updateWebhook(endpoint.id, { enabled });
      reload();
    } catch (caught) {
      setError(asApiError(caught));
    }
  };

  return (
    <>
      <div className="page-header">
        <div>
          <p className="breadcrumb">Settings</p>
          <h1>Webhooks</h1>
        </div>
        <button type="button" className="button button-primary" onClick={() => setOpen({ kind: "create" })}>
          Add endpoint
        </button>
      </div>
      <p className="page-intro">
        Bentoo POSTs signed events (Standard Webhooks) to your endpoints when keys change, the balance runs low or a request is refused, and retries failed
        deliveries for about a day.
      </p>
      {error !== null && <Alert tone="error">{error.message}</Alert>}
      <section className="card panel" aria-labelledby="endpoints-heading">
        <h2 id="endpoints-heading">Endpoints</h2>
        {endpoints.state.status === "loading" && <LoadingState label="Loading endpoints…" />}
        {endpoints.state.status === "error" && <ErrorState error={endpoints.state.error} onRetry={reload} />}
        {endpoints.state.status === "ready" && endpoints.state.data.data.length === 0 && (
          <EmptyState title="No endpoints yet">Add one to be told about key changes, a low balance and blocked requests.</EmptyState>
        )}
        {endpoints.state.status === "ready" && endpoints.state.data.data.length > 0 && (
          <div className="table-wrap">
            <table className="table" aria-label="Webhook endpoints">
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Status</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {endpoints.state.data.data.map((endpoint) => (
                  <tr key={endpoint.id} data-testid="webhook-row" className={endpoint.enabled ? undefined : "row-inactive"}>
                    <th scope="row" className="cell-url">
                      {endpoint.url}
                      {endpoint.description !== null && <span className="row-note muted">{endpoint.description}</span>}
                    </th>
                    <td>
                      <span className="event-list">
                        {endpoint.event_types.map((type) => (
                          <code key={type}>{type}</code>
                        ))}
                      </span>
                    </td>
                    <td>
                      <Badge tone={endpoint.enabled ? "green" : "neutral"}>{endpoint.enabled ? "enabled" : "disabled"}</Badge>
                    </td>
                    <td className="cell-actions">
                      <button type="button" className="button button-small" onClick={() => setOpen({ kind: "log", endpoint })}>
                        Delivery log
                      </button>
                      <button type="button" className="button button-small" onClick={() => void setEnabled(endpoint, !endpoint.enabled)}>
                        {endpoint.enabled ? "Disable" : "Enable"}
                      </button>
                      <button type="button" className="button button-small" onClick={() => setOpen({ kind: "roll", endpoint })}>
                        Roll secret
                      </button>
                      <button type="button" className="button button-small button-danger-ghost" onClick={() => setOpen({ kind: "delete", endpoint })}>
                        Delete
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card panel" aria-labelledby="low-balance-heading">
        <h2 id="low-balance-heading">Low-balance alert</h2>
        <LowBalanceForm />
      </section>
      {open?.kind === "create" && <CreateWebhookDialog onClose={() => setOpen(null)} onCreated={reload} />}
      {open?.kind === "log" && <DeliveriesDialog endpoint={open.endpoint} onClose={() => setOpen(null)} />}
      {open?.kind === "roll" && <RollSecretDialog endpoint={open.endpoint} onClose={() => setOpen(null)} onRolled={reload} />}
      {open?.kind === "delete" && <DeleteWebhookDialog endpoint={open.endpoint} onClose={() => setOpen(null)} onDeleted={reload} />}
    </>
  );
}

/** Deleting an endpoint ends its deliveries and drops its delivery log. */
function DeleteWebhookDialog({ endpoint, onClose, onDeleted }: { endpoint: WebhookEndpoint; onClose: () => void; onDeleted: () => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const remove = async () => {
    try {
      await api.deleteWebhook(endpoint.id);
      onDeleted();
      onClose();
    } catch (caught) {
      setError(asApiError(caught));
    }
  };
  return (
    <Dialog title="Delete endpoint?" onClose={onClose} testId="delete-webhook-dialog">
      <p>
        Delete <strong>{endpoint.url}</strong>? Pending deliveries to it are dropped, with its delivery log.
      </p>
      {error !== null && <Alert tone="error">{error.message}</Alert>}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} data-autofocus>
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={() => void remove()}>
          Delete endpoint
        </button>
      </div>
    </Dialog>
  );
}
