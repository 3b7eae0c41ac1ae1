import { useState } from "react";
import { type ApiError, api } from "../../api/client";
import type { ApiKey } from "../../api/types";
import { Alert } from "../../components/alert";
import { Dialog } from "../../components/dialog";
import { formatNumber, maskedKey } from "../../lib/format";
import { asApiError } from "../../lib/use-async";

/** Revoke with a confirmation: it is immediate and final. The Cancel button has the initial focus. */
export function RevokeKeyDialog({ apiKey, onClose, onRevoked }: { apiKey: ApiKey; onClose: () => void; onRevoked: () => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const recent = apiKey.requests_last_hour ?? 0;

  const revoke = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.revokeKey(apiKey.id);
      onRevoked();
      onClose();
    } catch (caught) {
      setError(asApiError(caught));
      setBusy(false);
    }
  };

  return (
    <Dialog title="Revoke API key?" onClose={onClose} testId="revoke-key-dialog">
      <p>
        Revoke <strong>{apiKey.name}</strong> ({maskedKey(apiKey.key_id)})? Requests using it will <strong>immediately return 401</strong>. This cannot be
        undone.
      </p>
      {recent > 0 && (
        <Alert tone="warning">
          This key made {formatNumber(recent)} request{recent === 1 ? "" : "s"} in the last hour. Make sure your deployments use its replacement first.
        </Alert>
      )}
      {error !== null && <Alert tone="error">{error.message}</Alert>}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} data-autofocus>
          Cancel
        </button>
        <button type="button" className="button button-danger" onClick={() => void revoke()} disabled={busy}>
          {busy ? "Revoking…" : "Revoke key"}
        </button>
      </div>
    </Dialog>
  );
}
