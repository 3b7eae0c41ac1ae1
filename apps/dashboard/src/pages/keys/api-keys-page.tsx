import { useCallback, useEffect, useMemo, useState } from "react";
import { api } from "../../api/client";
import type { ApiKey, ListPage } from "../../api/types";
import { EmptyState } from "../../components/empty-state";
import { ErrorState } from "../../components/error-state";
import { LoadingState } from "../../components/loading-state";
import { bucketStarts, lastWindow, seriesByKey } from "../../lib/usage";
import { useAsync } from "../../lib/use-async";
import { useAccount, useSession } from "../../session/session-context";
import { CreateKeyDialog } from "./create-key-dialog";
import { EditKeyDialog } from "./edit-key-dialog";
import { KeyCapNotice } from "./key-cap-notice";
import type { KeyAction } from "./key-row";
import { KeysTable } from "./keys-table";
import { RevokeKeyDialog } from "./revoke-key-dialog";
import { RollKeyDialog } from "./roll-key-dialog";

type OpenDialog = { kind: "create" } | { kind: KeyAction; key: ApiKey } | null;

/** While an old key is in its grace period the page refreshes on its own, so its traffic can be watched falling to zero. */
const ROLLING_REFRESH_MS = 10_000;

async function loadAllKeys(): Promise<ApiKey[]> {
  const keys: ApiKey[] = [];
  let page: ListPage<ApiKey> | null = null;
  do {
    page = await api.listKeys({ limit: 200, cursor: page?.next_cursor ?? null });
    keys.push(...page.data);
  } while (page.has_more && page.next_cursor !== null && keys.length < 2000);
  return keys;
}

/** Requests per hour over the last 24 hours for each key; the table still works without them. */
async function loadSparklines(): Promise<Map<string, number[]>> {
  const window = lastWindow("hour", 24);
  try {
    const usage = await api.usage({
      start: new Date(window.start).toISOString(),
      end: new Date(window.end).toISOString(),
      granularity: "hour",
      group_by: "key",
    });
    return seriesByKey(usage.data, bucketStarts(window));
  } catch {
    return new Map();
  }
}

export function ApiKeysPage() {
  const account = useAccount();
  const session = useSession();
  const keys = useAsync(loadAllKeys, []);
  const sparklines = useAsync(loadSparklines, []);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const { reload: reloadKeys } = keys;
  const { reload: reloadSparklines } = sparklines;

  const changed = useCallback(() => {
    void reloadKeys();
    void reloadSparklines();
    void session.refresh().catch(() => undefined);
  }, [reloadKeys, reloadSparklines, session]);

  const rolling = useMemo(() => {
    if (keys.state.status !== "ready") return false;
    const replaced = new Set(keys.state.data.filter((key) => key.status === "active" && key.rolled_from !== null).map((key) => key.rolled_from));
    return keys.state.data.some((key) => key.status === "active" && replaced.has(key.id));
  }, [keys.state]);

  useEffect(() => {
    if (!rolling || dialog !== null) return;
    const timer = window.setInterval(() => {
      void reloadKeys();
      void reloadSparklines();
    }, ROLLING_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [rolling, dialog, reloadKeys, reloadSparklines]);

  const close = useCallback(() => setDialog(null), []);

  return (
    <>
      <div className="page-header">
        <div>
          <p className="breadcrumb">Settings</p>
          <h1>API Keys</h1>
        </div>
        <button type="button" className="button button-primary" onClick={() => setDialog({ kind: "create" })}>
          Create key
        </button>
      </div>
      <p className="page-intro">
        One key reaches every model in the catalog. Keys carry your account's rate limits and credit balance. After creation a key is shown only by its last
        four characters.
      </p>
      <KeyCapNotice account={account} />

      {keys.state.status === "loading" && <LoadingState label="Loading keys…" />}
      {keys.state.status === "error" && <ErrorState error={keys.state.error} title="Keys could not be loaded" onRetry={() => void reloadKeys()} />}
      {keys.state.status === "ready" && keys.state.data.length === 0 && (
        <EmptyState title="No API keys yet">Click “Create key”, give it a descriptive name such as production-webapp, and copy it somewhere safe.</EmptyState>
      )}
      {keys.state.status === "ready" && keys.state.data.length > 0 && (
        <KeysTable
          keys={keys.state.data}
          sparklines={sparklines.state.status === "ready" ? sparklines.state.data : new Map()}
          onAction={(kind, key) => setDialog({ kind, key })}
        />
      )}
      {rolling && <p className="hint">A rolled key is in its grace period: this table refreshes every 10 seconds so you can watch its traffic drop to zero.</p>}

      {dialog?.kind === "create" && <CreateKeyDialog onClose={close} onCreated={changed} />}
      {dialog?.kind === "edit" && <EditKeyDialog apiKey={dialog.key} onClose={close} onSaved={changed} />}
      {dialog?.kind === "roll" && <RollKeyDialog apiKey={dialog.key} onClose={close} onRolled={changed} />}
      {dialog?.kind === "revoke" && <RevokeKeyDialog apiKey={dialog.key} onClose={close} onRevoked={changed} />}
    </>
  );
}
