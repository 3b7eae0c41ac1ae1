import { type FormEvent, useState } from "react";
import { type ApiError, api } from "../../api/client";
import { WEBHOOK_EVENTS, type WebhookEndpointWithSecret, type WebhookEventType } from "../../api/types";
import { Alert } from "../../components/alert";
import { Dialog } from "../../components/dialog";
import { asApiError } from "../../lib/use-async";
import { SecretReveal } from "./secret-reveal";

/** Registers an endpoint: URL, description, events; then shows its signing secret once. */
export function CreateWebhookDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<Set<WebhookEventType>>(new Set(["key.revoked", "balance.low"]));
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<WebhookEndpointWithSecret | null>(null);

  const toggle = (type: WebhookEventType) =>
    setEvents((current) => {
      const next = new Set(current);
      if (next.has(type)) next.delete(type);
      else next.add(type);
      return next;
    });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const trimmed = description.trim();
      const endpoint = await api.createWebhook({
        url: url.trim(),
        ...(trimmed === "" ? {} : { description: trimmed }),
        event_types: WEBHOOK_EVENTS.map((entry) => entry.type).filter((type) => events.has(type)),
      });
      setCreated(endpoint);
      onCreated();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  if (created !== null) {
    return (
      <Dialog title="Endpoint added" onClose={onClose} dismissible={false} testId="webhook-secret-dialog">
        <SecretReveal secret={created.secret} onDone={onClose} note={`Deliveries to ${created.url} are signed with this secret.`} />
      </Dialog>
    );
  }
  return (
    <Dialog title="Add a webhook endpoint" onClose={onClose} testId="create-webhook-dialog">
      <form onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="webhook-url">Endpoint URL</label>
          <input
            id="webhook-url"
            type="url"
            required
            placeholder="https://example.com/webhooks/bentoo"
            value={url}
            onChange={(event) => setUrl(event.target.value)}
            data-autofocus
            aria-invalid={error?.param === "url" ? true : undefined}
          />
        </div>
        <div className="field">
          <label htmlFor="webhook-description">Description (optional)</label>
          <input id="webhook-description" maxLength={500} value={description} onChange={(event) => setDescription(event.target.value)} />
        </div>
        <fieldset className="field">
          <legend>Events to send</legend>
          {WEBHOOK_EVENTS.map((entry) => (
            <label key={entry.type} className="choice">
              <input type="checkbox" checked={events.has(entry.type)} onChange={() => toggle(entry.type)} />
              <span>
                <code>{entry.type}</code> — {entry.label}
              </span>
            </label>
          ))}
        </fieldset>
        {error !== null && <Alert tone="error">{error.message}</Alert>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy || events.size === 0}>
            {busy ? "Adding…" : "Add endpoint"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
