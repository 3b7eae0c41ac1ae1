import { useState } from "react";
import { api } from "../../api/client";
import type { ApiKey } from "../../api/types";
import { EmptyState } from "../../components/empty-state";
import { ErrorState } from "../../components/error-state";
import { LoadingState } from "../../components/loading-state";
import { maskedKey } from "../../lib/format";
import { useAsync } from "../../lib/use-async";
import { useAccount, useSession } from "../../session/session-context";
import { AllowlistEditor } from "./allowlist-editor";
import { EnterpriseUpsell } from "./enterprise-upsell";
import { KeyAllowlistDialog } from "./key-allowlist-dialog";

async function activeKeys(): Promise<ApiKey[]> {
  const page = await api.listKeys({ limit: 200 });
  return page.data.filter((key) => key.status === "active");
}

export function SecurityPage() {
  const account = useAccount();
  const session = useSession();
  const enterprise = account.limits.ip_allowlist;
  const keys = useAsync(() => (enterprise ? activeKeys() : Promise.resolve([])), [enterprise]);
  const [editing, setEditing] = useState<ApiKey | null>(null);

  return (
    <>
      <div className="page-header">
        <div>
          <p className="breadcrumb">Settings</p>
          <h1>Security</h1>
        </div>
      </div>
      <p className="page-intro">Sessions last 7 days; every change you make here is protected by the session's CSRF token and recorded in the audit log.</p>
      {!enterprise && <EnterpriseUpsell plan={account.plan} />}
      {enterprise && (
        <>
          <section className="card panel" aria-labelledby="account-allowlist-heading">
            <h2 id="account-allowlist-heading">Account IP allowlist</h2>
            <p className="muted">Applies to every key of the account.</p>
            <AllowlistEditor
              label="Allowed addresses for all keys"
              initial={account.ip_allowlist}
              testId="account-allowlist-editor"
              onSave={async (entries) => {
                await api.updateAccountAllowlist(entries);
                await session.refresh();
              }}
            />
          </section>
          <section className="card panel" aria-labelledby="key-allowlists-heading">
            <h2 id="key-allowlists-heading">Per-key allowlists</h2>
            {keys.state.status === "loading" && <LoadingState label="Loading keys…" />}
            {keys.state.status === "error" && <ErrorState error={keys.state.error} onRetry={() => void keys.reload()} />}
            {keys.state.status === "ready" && keys.state.data.length === 0 && (
              <EmptyState title="No active keys">Create a key first in Settings → API Keys.</EmptyState>
            )}
            {keys.state.status === "ready" && keys.state.data.length > 0 && (
              <div className="table-wrap">
                <table className="table" aria-label="Per-key IP allowlists">
                  <thead>
                    <tr>
                      <th scope="col">Key</th>
                      <th scope="col">Allowed addresses</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {keys.state.data.map((key) => (
                      <tr key={key.id} data-testid="key-allowlist-row" data-key-id={key.key_id}>
                        <th scope="row" className="cell-name">
                          {key.name} <code className="key-mask">{maskedKey(key.key_id)}</code>
                        </th>
                        <td>
                          {key.ip_allowlist === null || key.ip_allowlist.length === 0 ? (
                            <span className="muted">Any address</span>
                          ) : (
                            key.ip_allowlist.join(", ")
                          )}
                        </td>
                        <td className="cell-actions">
                          <button
                            type="button"
                            className="button button-small"
                            onClick={() => setEditing(key)}
                            aria-label={`Edit allowlist of ${key.name} ${maskedKey(key.key_id)}`}
                          >
                            Edit allowlist
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
      {editing !== null && <KeyAllowlistDialog apiKey={editing} onClose={() => setEditing(null)} onSaved={() => void keys.reload()} />}
    </>
  );
}
