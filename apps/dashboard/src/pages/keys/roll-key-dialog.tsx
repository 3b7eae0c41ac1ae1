import { type FormEvent, useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { ApiKey, GraceChoice, RolledKey } from "../../api/types";
import { Alert } from "../../components/alert";
import { Dialog } from "../../components/dialog";
import { formatDateTime, maskedKey } from "../../lib/format";
import { asApiError } from "../../lib/use-async";
import { KeyReveal } from "./key-reveal";

const GRACE: ReadonlyArray<{ id: GraceChoice; label: string }> = [
  { id: "none", label: "No grace period: the old key stops working now" },
  { id: "1h", label: "1 hour" },
  { id: "24h", label: "24 hours" },
  { id: "7d", label: "7 days" },
  { id: "until_revoked", label: "Until I revoke it (watch its traffic drop to zero, then revoke)" },
];

function previousKeyNote(rolled: RolledKey): string {
  const old = maskedKey(rolled.previous_key.key_id);
  if (rolled.previous_key.status !== "active") return `The old key ${old} no longer works.`;
  if (rolled.previous_key.expires_at === null)
    return `The old key ${old} keeps working until you revoke it. Its row shows its traffic, with a "Revoke now" button.`;
  return `The old key ${old} keeps working until ${formatDateTime(rolled.previous_key.expires_at)}. Its row shows its traffic, with a "Revoke now" button.`;
}

/** Roll: a replacement with the same name, mode and allowlist; the old key lives on for the chosen grace period. */
export function RollKeyDialog({ apiKey, onClose, onRolled }: { apiKey: ApiKey; onClose: () => void; onRolled: () => void }) {
  const [grace, setGrace] = useState<GraceChoice>("24h");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [rolled, setRolled] = useState<RolledKey | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await api.rollKey(apiKey.id, grace);
      setRolled(result);
      onRolled();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  if (rolled !== null) {
    return (
      <Dialog key="reveal" title="Your replacement key" onClose={onClose} dismissible={false} wide testId="key-created-dialog">
        <KeyReveal issued={rolled} onDone={onClose} note={previousKeyNote(rolled)} />
      </Dialog>
    );
  }

  return (
    <Dialog key="form" title={`Roll key ${maskedKey(apiKey.key_id)}`} onClose={onClose} testId="roll-key-dialog">
      <p>
        Rolling <strong>{apiKey.name}</strong> creates a replacement key with the same name, mode and IP allowlist. Update your deployments to the new key, then
        retire the old one.
      </p>
      <form onSubmit={(event) => void submit(event)}>
        <fieldset className="field">
          <legend>Keep the old key working for</legend>
          {GRACE.map((choice, index) => (
            <label key={choice.id} className="choice">
              <input
                type="radio"
                name="grace"
                value={choice.id}
                checked={grace === choice.id}
                onChange={() => setGrace(choice.id)}
                data-autofocus={index === 2 ? true : undefined}
              />
              <span>{choice.label}</span>
            </label>
          ))}
        </fieldset>
        {error !== null && <Alert tone="error">{error.message}</Alert>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {busy ? "Rolling…" : "Roll key"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
