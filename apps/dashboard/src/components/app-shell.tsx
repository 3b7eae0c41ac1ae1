import { type ReactNode, useEffect, useRef, useState } from "react";
import { formatUsd, planName } from "../lib/format";
import { Link } from "../router/link";
import { useRouter } from "../router/router-context";
import { useAccount, useSession } from "../session/session-context";
import { Badge } from "./badge";
import { LowBalanceBanner } from "./low-balance-banner";

const NAV: ReadonlyArray<{ to: string; label: string; group?: string }> = [
  { to: "/", label: "Overview" },
  { to: "/logs", label: "Logs" },
  { to: "/models", label: "Models" },
  { to: "/settings/api-keys", label: "API Keys", group: "Settings" },
  { to: "/settings/security", label: "Security", group: "Settings" },
  { to: "/settings/webhooks", label: "Webhooks", group: "Settings" },
];

/**
 * The signed-in frame: navigation, account summary and sign-out. After each
 * in-page navigation focus moves to the main heading region, so keyboard and
 * screen-reader users land on the new page rather than on the link they left.
 */
export function AppShell({ title, children }: { title: string; children: ReactNode }) {
  const account = useAccount();
  const session = useSession();
  const { location, navigate } = useRouter();
  const main = useRef<HTMLElement>(null);
  const [signingOut, setSigningOut] = useState(false);
  const firstRender = useRef(true);

  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on every navigation (location.path) to move focus to the new page
  useEffect(() => {
    document.title = `${title} · Bentoo`;
    if (firstRender.current) firstRender.current = false;
    else main.current?.focus();
  }, [location.path, title]);

  const signOut = async () => {
    setSigningOut(true);
    await session.signOut();
    navigate("/signin", { replace: true });
  };

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <Link to="/" className="brand" aria-label="Bentoo dashboard home">
          <span className="brand-mark" aria-hidden="true" />
          Bentoo
        </Link>
        <nav aria-label="Main">
          <ul className="nav-list">
            {NAV.filter((item) => item.group === undefined).map((item) => (
              <li key={item.to}>
                <Link to={item.to} navigation className="nav-link">
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
          <div className="nav-group" id="nav-settings">
            Settings
          </div>
          <ul className="nav-list" aria-labelledby="nav-settings">
            {NAV.filter((item) => item.group === "Settings").map((item) => (
              <li key={item.to}>
                <Link to={item.to} navigation className="nav-link">
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
          {/* The docs are another site on this server (apps/docs, served at /docs/): a full page load, not a route. */}
          <ul className="nav-list nav-list-end">
            <li>
              <a href="/docs/" className="nav-link">
                Docs
              </a>
            </li>
          </ul>
        </nav>
      </aside>
      <div className="shell-main">
        <header className="topbar">
          <div className="topbar-account">
            <span className="muted">Balance</span> <strong data-testid="topbar-balance">{formatUsd(account.balance_micros)}</strong>
            <Badge tone={account.plan === "free" ? "neutral" : "violet"}>{planName(account.plan)}</Badge>
            <span className="topbar-email" title={account.email}>
              {account.email}
            </span>
          </div>
          <button type="button" className="button button-ghost" onClick={() => void signOut()} disabled={signingOut}>
            {signingOut ? "Signing out…" : "Sign out"}
          </button>
        </header>
        <LowBalanceBanner account={account} />
        <main id="main" ref={main} tabIndex={-1} className="content">
          {children}
        </main>
      </div>
    </div>
  );
}
