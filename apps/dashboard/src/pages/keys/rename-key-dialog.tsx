import { type FormEvent, useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { ApiKey } from "../../api/types";
import { Alert } from "../../components/alert";
import { Dialog } from "../../components/dialog";
import { maskedKey } from "../../lib/format";
import { asApiError } from "../../lib/use-async";

export function RenameKeyDialog({ apiKey, onClose, onRenamed }: { apiKey: ApiKey; onClose: () => void; onRenamed: () => void }) {
  const [name, setName] = useState(apiKey.name);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.updateKey(apiKey.id, { name: name.trim() });
      onRenamed();
      onClose();
    } catch (caught) {
      setError(asApiError(caught));
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Rename key ${maskedKey(apiKey.key_id)}`} onClose={onClose} testId="rename-key-dialog">
      <form onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="rename-key-name">Name</label>
          <input id="rename-key-name" value={name} onChange={(event) => setName(event.target.value)} required maxLength={200} data-autofocus />
        </div>
        {error !== null && <Alert tone="error">{error.message}</Alert>}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy || name.trim() === "" || name.trim() === apiKey.name}>
            {busy ? "Saving…" : "Save name"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
