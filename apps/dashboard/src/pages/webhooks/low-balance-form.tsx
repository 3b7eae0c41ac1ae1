import { type FormEvent, useState } from "react";
import { type ApiError, api } from "../../api/client";
import { Alert } from "../../components/alert";
import { formatUsd } from "../../lib/format";
import { asApiError } from "../../lib/use-async";
import { useAccount, useSession } from "../../session/session-context";

/** The account's low-balance threshold, in dollars here and micro-dollars on the wire; empty = no alert. */
export function LowBalanceForm() {
  const account = useAccount();
  const session = useSession();
  const current = account.low_balance_threshold_micros;
  const [dollars, setDollars] = useState(current === null ? "" : String(current / 1_000_000));
  const [error, setError] = useState<ApiError | string | null>(null);
  const [saved, setSaved] = useState(false);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(false);
    const text = dollars.trim();
    const value = text === "" ? null : Number(text);
    if (value !== null && (!Number.isFinite(value) || value < 0)) {
      setError("Enter an amount in US dollars, such as 10, or leave it empty for no alert.");
      return;
    }
    try {
      await api.updateLowBalanceThreshold(value === null ? null : Math.round(value * 1_000_000));
      await session.refresh();
      setSaved(true);
    } catch (caught) {
      setError(asApiError(caught));
    }
  };

  return (
    <form onSubmit={(event) => void save(event)} data-testid="low-balance-form">
      <div className="field">
        <label htmlFor="low-balance-threshold">Warn me below (USD)</label>
        <input id="low-balance-threshold" inputMode="decimal" placeholder="No alert" value={dollars} onChange={(event) => setDollars(event.target.value)} />
      </div>
      <p className="muted">
        Balance now: {formatUsd(account.balance_micros)}. Below the threshold the dashboard shows a banner and <code>balance.low</code> is sent once, until the
        balance is back above it.
      </p>
      {error !== null && <Alert tone="error">{typeof error === "string" ? error : error.message}</Alert>}
      {saved && <Alert tone="success">Saved.</Alert>}
      <button type="submit" className="button">
        Save threshold
      </button>
    </form>
  );
}
