import { Alert } from "../../components/alert";
import { CopyButton } from "../../components/copy-button";

/** The only time a signing secret is on screen: copy it into the receiver's configuration. */
export function SecretReveal({ secret, onDone, note }: { secret: string; onDone: () => void; note?: string }) {
  return (
    <div>
      <Alert tone="warning">
        <strong>Copy the signing secret now — you won't see it again.</strong> Your receiver verifies each delivery's <code>webhook-signature</code> with it
        (Standard Webhooks).
      </Alert>
      {note !== undefined && <p>{note}</p>}
      <div className="field">
        <label htmlFor="webhook-secret">Signing secret</label>
        <div className="secret-row">
          <input
            id="webhook-secret"
            data-testid="webhook-secret"
            className="secret"
            readOnly
            value={secret}
            spellCheck={false}
            onFocus={(event) => event.currentTarget.select()}
            data-autofocus
          />
          <CopyButton text={secret} label="Copy secret" className="button button-primary" />
        </div>
      </div>
      <div className="dialog-actions">
        <button type="button" className="button button-primary" onClick={onDone}>
          I've saved the secret
        </button>
      </div>
    </div>
  );
}
