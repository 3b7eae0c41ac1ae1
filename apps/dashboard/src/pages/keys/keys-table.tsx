import type { ApiKey } from "../../api/types";
import { type KeyAction, KeyRow } from "./key-row";

interface KeysTableProps {
  keys: readonly ApiKey[];
  sparklines: ReadonlyMap<string, number[]>;
  onAction: (action: KeyAction, key: ApiKey) => void;
}

/** Active keys first (newest on top), then revoked and expired ones. */
function ordered(keys: readonly ApiKey[]): ApiKey[] {
  const rank = (key: ApiKey) => (key.status === "active" ? 0 : 1);
  return [...keys].sort((a, b) => rank(a) - rank(b) || (b.created_at ?? "").localeCompare(a.created_at ?? ""));
}

export function KeysTable({ keys, sparklines, onAction }: KeysTableProps) {
  const byId = new Map(keys.map((key) => [key.id, key]));
  const replacement = new Map<string, ApiKey>();
  for (const key of keys) if (key.rolled_from !== null && key.status === "active") replacement.set(key.rolled_from, key);

  return (
    <div className="table-wrap">
      <table className="table keys-table" aria-label="API keys">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Key</th>
            <th scope="col">
              Last used <span className="muted">· created</span>
            </th>
            <th scope="col">
              Requests <span className="muted">1 h / 24 h</span>
            </th>
            <th scope="col">Budget</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {ordered(keys).map((key) => (
            <KeyRow
              key={key.id}
              apiKey={key}
              replacedBy={key.status === "active" ? (replacement.get(key.id) ?? null) : null}
              replaces={key.rolled_from === null ? null : (byId.get(key.rolled_from) ?? null)}
              sparkline={sparklines.get(key.id)}
              onAction={onAction}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}
