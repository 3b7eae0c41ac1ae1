import { type FormEvent, useState } from "react";
import { ApiError, api } from "../../api/client";
import type { ApiKey, KeyRequest } from "../../api/types";
import { Alert } from "../../components/alert";
import { Dialog } from "../../components/dialog";
import { formatDateTime, maskedKey } from "../../lib/format";
import { type ControlsForm, controlsOfKey, controlsRequest, isProblem } from "../../lib/key-controls";
import { asApiError } from "../../lib/use-async";
import { KeyControlsFields } from "./key-controls-fields";

const EXPIRY_CHANGES: ReadonlyArray<{ id: string; label: string; days: number | null }> = [
  { id: "never", label: "Never", days: null },
  { id: "30d", label: "In 30 days", days: 30 },
  { id: "90d", label: "In 90 days", days: 90 },
  { id: "1y", label: "In 1 year", days: 365 },
];

/**
 * Settings → API Keys → Edit: a key's name, expiry and controls (permissions,
 * budget, its own rate limits, models), saved in one change that every
 * instance applies to the key's next request.
 */
export function EditKeyDialog({ apiKey, onClose, onSaved }: { apiKey: ApiKey; onClose: () => void; onSaved: () => void }) {
  const [name, setName] = useState(apiKey.name);
  const [expiry, setExpiry] = useState("keep");
  const [controls, setControls] = useState<ControlsForm>(() => controlsOfKey(apiKey));
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const changes = controlsRequest(controls, { clearEmpty: true });
    if (isProblem(changes)) {
      setError(new ApiError(400, changes.message, "invalid_request", changes.param));
      return;
    }
    const patch: Partial<Omit<KeyRequest, "mode">> = { ...changes };
    if (name.trim() !== apiKey.name) patch.name = name.trim();
    const choice = EXPIRY_CHANGES.find((entry) => entry.id === expiry);
    if (choice !== undefined) patch.expires_at = choice.days === null ? null : new Date(Date.now() + choice.days * 86_400_000).toISOString();
    setBusy(true);
    setError(null);
    try {
      await api.updateKey(apiKey.id, patch);
      onSaved();
      onClose();
    } catch (caught) {
      setError(asApiError(caught));
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Edit key ${maskedKey(apiKey.key_id)}`} onClose={onClose} wide testId="edit-key-dialog">
      <form onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="edit-key-name">Name</label>
          <input id="edit-key-name" value={name} onChange={(event) => setName(event.target.value)} required maxLength={200} data-autofocus />
        </div>
        <div className="field">
          <label htmlFor="edit-key-expiry">Expires</label>
          <select id="edit-key-expiry" value={expiry} onChange={(event) => setExpiry(event.target.value)}>
            <option value="keep">{apiKey.expires_at === null ? "Never (unchanged)" : `${formatDateTime(apiKey.expires_at)} (unchanged)`}</option>
            {EXPIRY_CHANGES.map((entry) => (
              <option key={entry.id} value={entry.id}>
                {entry.label}
              </option>
            ))}
          </select>
        </div>
        <KeyControlsFields form={controls} onChange={setControls} invalidParam={error?.param ?? null} />
        {error !== null && (
          <Alert tone="error" testId="edit-key-error">
            {error.message}
          </Alert>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy || name.trim() === ""}>
            {busy ? "Saving…" : "Save changes"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
