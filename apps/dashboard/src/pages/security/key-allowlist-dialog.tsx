import { api } from "../../api/client";
import type { ApiKey } from "../../api/types";
import { Dialog } from "../../components/dialog";
import { maskedKey } from "../../lib/format";
import { AllowlistEditor } from "./allowlist-editor";

export function KeyAllowlistDialog({ apiKey, onClose, onSaved }: { apiKey: ApiKey; onClose: () => void; onSaved: () => void }) {
  return (
    <Dialog title={`IP allowlist of ${apiKey.name} (${maskedKey(apiKey.key_id)})`} onClose={onClose} testId="key-allowlist-dialog">
      <p className="muted">Requests with this key from any other address get 403. The account allowlist, if set, applies as well.</p>
      <AllowlistEditor
        label="Allowed addresses for this key"
        initial={apiKey.ip_allowlist}
        autoFocus
        testId="key-allowlist-editor"
        onSave={async (entries) => {
          await api.updateKey(apiKey.id, { ip_allowlist: entries });
          onSaved();
        }}
      />
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
