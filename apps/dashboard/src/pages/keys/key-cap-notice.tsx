import type { Account } from "../../api/types";
import { planName } from "../../lib/format";

/** The plan's key cap, visible before it is hit (free: 50 active keys). */
export function KeyCapNotice({ account }: { account: Account }) {
  const cap = account.limits.max_active_keys;
  if (cap === null) {
    return (
      <p className="cap-notice muted" data-testid="key-cap">
        {account.active_keys} active key{account.active_keys === 1 ? "" : "s"} · unlimited on the {planName(account.plan)} plan
      </p>
    );
  }
  const used = account.active_keys;
  const full = used >= cap;
  const near = !full && used >= cap * 0.8;
  return (
    <div className={`cap-notice card ${full ? "cap-full" : near ? "cap-near" : ""}`} data-testid="key-cap">
      <div className="cap-row">
        <span id="key-cap-label">
          <strong>
            {used} of {cap}
          </strong>{" "}
          active keys on the {planName(account.plan)} plan
        </span>
        <meter min={0} max={cap} value={used} low={cap * 0.8} high={cap * 0.95} optimum={0} aria-labelledby="key-cap-label" />
      </div>
      {full && (
        <p role="status">You have reached the limit of {cap} active keys. Revoke a key you no longer use, or move to the Pro plan for unlimited keys.</p>
      )}
      {near && <p>You are close to the limit of {cap} active keys. Pro and Enterprise plans have no limit.</p>}
    </div>
  );
}
