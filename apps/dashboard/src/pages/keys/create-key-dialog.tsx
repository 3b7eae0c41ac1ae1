import { type FormEvent, useState } from "react";
import { ApiError, api } from "../../api/client";
import type { IssuedKey, KeyMode } from "../../api/types";
import { Alert } from "../../components/alert";
import { Dialog } from "../../components/dialog";
import { type ControlsForm, controlsRequest, EMPTY_CONTROLS, isProblem } from "../../lib/key-controls";
import { asApiError } from "../../lib/use-async";
import { useAccount } from "../../session/session-context";
import { KeyControlsFields } from "./key-controls-fields";
import { KeyReveal } from "./key-reveal";

const EXPIRIES: ReadonlyArray<{ id: string; label: string; days: number | null }> = [
  { id: "never", label: "Never", days: null },
  { id: "30d", label: "In 30 days", days: 30 },
  { id: "90d", label: "In 90 days", days: 90 },
  { id: "1y", label: "In 1 year", days: 365 },
];

/**
 * Settings → API Keys → Create key: a name, a mode, an expiry, and what the key
 * may do and spend (permissions, budget, its own rate limits, models); then
 * the key shown once. An account without credits starts on a test key: a live
 * one could only get 402 until credits are added.
 */
export function CreateKeyDialog({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const account = useAccount();
  const noCredits = account.balance_micros <= 0;
  const [name, setName] = useState("");
  const [mode, setMode] = useState<KeyMode>(noCredits ? "test" : "live");
  const [expiry, setExpiry] = useState("never");
  const [controls, setControls] = useState<ControlsForm>(EMPTY_CONTROLS);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<IssuedKey | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const restrictions = controlsRequest(controls);
    if (isProblem(restrictions)) {
      setError(new ApiError(400, restrictions.message, "invalid_request", restrictions.param));
      return;
    }
    setBusy(true);
    setError(null);
    const days = EXPIRIES.find((entry) => entry.id === expiry)?.days ?? null;
    try {
      const created = await api.createKey({
        name: name.trim(),
        mode,
        ...(days === null ? {} : { expires_at: new Date(Date.now() + days * 86_400_000).toISOString() }),
        ...restrictions,
      });
      setIssued(created);
      onCreated();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  };

  if (issued !== null) {
    return (
      <Dialog key="reveal" title="Your new API key" onClose={onClose} dismissible={false} wide testId="key-created-dialog">
        <KeyReveal issued={issued} onDone={onClose} />
      </Dialog>
    );
  }

  return (
    <Dialog key="form" title="Create API key" onClose={onClose} wide testId="create-key-dialog">
      <form onSubmit={(event) => void submit(event)}>
        <div className="field">
          <label htmlFor="key-name">Name</label>
          <input
            id="key-name"
            value={name}
            onChange={(event) => setName(event.target.value)}
            required
            maxLength={200}
            placeholder="production-webapp"
            aria-describedby="key-name-hint"
            aria-invalid={error?.param === "name" ? true : undefined}
            data-autofocus
          />
          <p id="key-name-hint" className="hint">
            A descriptive name, so you can tell this key apart in usage and logs later.
          </p>
        </div>
        <fieldset className="field">
          <legend>Mode</legend>
          <label className="choice">
            <input type="radio" name="key-mode" value="live" checked={mode === "live"} onChange={() => setMode("live")} />
            <span>
              <strong>Live</strong> — reaches real providers and spends credits.
            </span>
          </label>
          <label className="choice">
            <input type="radio" name="key-mode" value="test" checked={mode === "test"} onChange={() => setMode("test")} />
            <span>
              <strong>Test</strong> — answered by the built-in sandbox: free, offline, deterministic.
            </span>
          </label>
          {noCredits && (
            <p className="hint" data-testid="no-credits-hint">
              {mode === "live"
                ? "This account has no credits yet: a live key would get 402 insufficient_credits on every request until credits are added. Start with a test key."
                : "This account has no credits yet, so a test key is the one that works now; create a live key once credits are added."}
            </p>
          )}
        </fieldset>
        <div className="field">
          <label htmlFor="key-expiry">Expires</label>
          <select id="key-expiry" value={expiry} onChange={(event) => setExpiry(event.target.value)}>
            {EXPIRIES.map((entry) => (
              <option key={entry.id} value={entry.id}>
                {entry.label}
              </option>
            ))}
          </select>
        </div>
        <KeyControlsFields form={controls} onChange={setControls} invalidParam={error?.param ?? null} />
        {error !== null && (
          <Alert tone="error" testId="create-key-error">
            {error.message}
          </Alert>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={busy || name.trim() === ""}>
            {busy ? "Creating…" : "Create key"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
