import { type FormEvent, useId, useState } from "react";
import type { ApiError } from "../../api/client";
import { Alert } from "../../components/alert";
import { checkAllowlist } from "../../lib/ip";
import { asApiError } from "../../lib/use-async";

interface AllowlistEditorProps {
  label: string;
  initial: string[] | null;
  /** null = no allowlist: requests from any address are accepted. */
  onSave: (entries: string[] | null) => Promise<void>;
  testId?: string;
  autoFocus?: boolean;
}

/**
 * One address or CIDR block a line. Bad entries are named before anything is
 * sent; the server checks again and its message (naming the entry) is shown.
 */
export function AllowlistEditor({ label, initial, onSave, testId, autoFocus = false }: AllowlistEditorProps) {
  const [text, setText] = useState((initial ?? []).join("\n"));
  const [problems, setProblems] = useState<string[]>([]);
  const [serverError, setServerError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const fieldId = useId();
  const hintId = useId();
  const errorId = useId();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { entries, errors } = checkAllowlist(text);
    setProblems(errors);
    setServerError(null);
    setSaved(false);
    if (errors.length > 0) return;
    setBusy(true);
    try {
      await onSave(entries.length === 0 ? null : entries);
      setText(entries.join("\n"));
      setSaved(true);
    } catch (caught) {
      setServerError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  const invalid = problems.length > 0 || serverError !== null;
  return (
    <form className="allowlist-editor" onSubmit={(event) => void submit(event)} data-testid={testId}>
      <div className="field">
        <label htmlFor={fieldId}>{label}</label>
        <textarea
          id={fieldId}
          rows={5}
          spellCheck={false}
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setSaved(false);
          }}
          placeholder={"203.0.113.0/24\n2001:db8::/32\n198.51.100.7"}
          aria-describedby={invalid ? `${hintId} ${errorId}` : hintId}
          aria-invalid={invalid ? true : undefined}
          data-autofocus={autoFocus ? true : undefined}
        />
        <p id={hintId} className="hint">
          One IPv4 or IPv6 address or CIDR block per line. Leave empty to accept requests from any address.
        </p>
      </div>
      <div id={errorId}>
        {problems.length > 0 && (
          <Alert tone="error" testId="allowlist-error">
            <ul className="plain-list">
              {problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          </Alert>
        )}
        {serverError !== null && (
          <Alert tone="error" testId="allowlist-error">
            {serverError.message}
          </Alert>
        )}
      </div>
      {saved && (
        <Alert tone="success" testId="allowlist-saved">
          Saved. {text.trim() === "" ? "Requests are accepted from any address." : "Only the listed addresses may use it now."}
        </Alert>
      )}
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {busy ? "Saving…" : "Save allowlist"}
        </button>
      </div>
    </form>
  );
}
