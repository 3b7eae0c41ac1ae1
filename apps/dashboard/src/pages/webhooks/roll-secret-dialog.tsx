import { useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { WebhookEndpoint } from "../../api/types";
import { Alert } from "../../components/alert";
import { Dialog } from "../../components/dialog";
import { asApiError } from "../../lib/use-async";
import { SecretReveal } from "./secret-reveal";

const GRACE_CHOICES = [
  { seconds: 0, label: "Stop at once" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 86_400, label: "24 hours" },
  { seconds: 604_800, label: "7 days" },
] as const;

/** A new signing secret; the old one keeps signing (a second signature) for the chosen time, so receivers can switch without a gap. */
export function RollSecretDialog({ endpoint, onClose, onRolled }: { endpoint: WebhookEndpoint; onClose: () => void; onRolled: () => void }) {
  const [grace, setGrace] = useState<number>(86_400);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const roll = async () => {
    setBusy(true);
    setError(null);
    try {
      setSecret((await api.rollWebhookSecret(endpoint.id, grace)).secret);
      onRolled();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  if (secret !== null) {
    return (
      <Dialog title="Secret rolled" onClose={onClose} dismissible={false} testId="webhook-secret-dialog">
        <SecretReveal secret={secret} onDone={onClose} />
      </Dialog>
    );
  }
  return (
    <Dialog title="Roll signing secret?" onClose={onClose} testId="roll-webhook-secret-dialog">
      <p>
        Deliveries to <strong>{endpoint.url}</strong> will be signed with a new secret.
      </p>
      <fieldset className="field">
        <legend>Keep signing with the old secret too for</legend>
        {GRACE_CHOICES.map((choice) => (
          <label key={choice.seconds} className="choice">
            <input type="radio" name="grace" checked={grace === choice.seconds} onChange={() => setGrace(choice.seconds)} />
            <span>{choice.label}</span>
          </label>
        ))}
      </fieldset>
      {error !== null && <Alert tone="error">{error.message}</Alert>}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} data-autofocus>
          Cancel
        </button>
        <button type="button" className="button button-primary" onClick={() => void roll()} disabled={busy}>
          {busy ? "Rolling…" : "Roll secret"}
        </button>
      </div>
    </Dialog>
  );
}
