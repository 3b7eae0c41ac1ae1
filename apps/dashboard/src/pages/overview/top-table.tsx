import { useId } from "react";
import { EmptyState } from "../../components/empty-state";
import { formatNumber, formatUsd } from "../../lib/format";
import type { TopEntry } from "../../lib/usage";

export function TopTable({ title, entries, kind }: { title: string; entries: readonly TopEntry[]; kind: "Model" | "Key" }) {
  const headingId = useId();
  return (
    <section className="card panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {entries.length === 0 ? (
        <EmptyState title="Nothing yet">No requests in the last 30 days.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{kind}</th>
                <th scope="col" className="numeric">
                  Requests
                </th>
                <th scope="col" className="numeric">
                  Tokens
                </th>
                <th scope="col" className="numeric">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <th scope="row" className="cell-name">
                    {entry.label}
                  </th>
                  <td className="numeric">{formatNumber(entry.requests)}</td>
                  <td className="numeric">{formatNumber(entry.tokens)}</td>
                  <td className="numeric">{formatUsd(entry.costMicros)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
