import type { Account } from "../api/types";
import { formatUsd } from "../lib/format";
import { Link } from "../router/link";

/** Whether the account is below the low-balance threshold it set (no threshold: never). */
export function isBalanceLow(account: Pick<Account, "balance_micros" | "low_balance_threshold_micros">): boolean {
  return account.low_balance_threshold_micros !== null && account.balance_micros < account.low_balance_threshold_micros;
}

/** Shown on every page while the balance is below the account's threshold: live requests are about to get 402. */
export function LowBalanceBanner({ account }: { account: Account }) {
  if (!isBalanceLow(account)) return null;
  return (
    <div className="banner banner-warning" role="status" data-testid="low-balance-banner">
      <strong>Low balance:</strong> {formatUsd(account.balance_micros)} left, below your alert threshold of {formatUsd(account.low_balance_threshold_micros)}.
      Live requests get 402 once the balance cannot cover them; ask your operator for credits. <Link to="/settings/webhooks">Alert settings</Link>
    </div>
  );
}
