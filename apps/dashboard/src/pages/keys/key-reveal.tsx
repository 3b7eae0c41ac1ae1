import type { IssuedKey } from "../../api/types";
import { Alert } from "../../components/alert";
import { CopyButton } from "../../components/copy-button";
import { KeySnippets } from "./key-snippets";

/** The only time a full key is on screen: copy it, with a plain warning that it will not be shown again. */
export function KeyReveal({ issued, onDone, note }: { issued: IssuedKey; onDone: () => void; note?: string }) {
  return (
    <div className="key-reveal">
      <Alert tone="warning">
        <strong>Copy your key now — you won't see it again.</strong> Bentoo stores only a hash of it. If you lose it, roll or revoke it and create a new one.
      </Alert>
      {note !== undefined && <p>{note}</p>}
      <div className="field">
        <label htmlFor="new-key-secret">
          Your new key “{issued.name}” ({issued.mode})
        </label>
        <div className="secret-row">
          <input
            id="new-key-secret"
            data-testid="new-key-secret"
            className="secret"
            readOnly
            value={issued.key}
            spellCheck={false}
            onFocus={(event) => event.currentTarget.select()}
            data-autofocus
          />
          <CopyButton text={issued.key} label="Copy key" className="button button-primary" />
        </div>
      </div>
      <KeySnippets secret={issued.key} />
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onDone}>
          I've saved my key
        </button>
      </div>
    </div>
  );
}
