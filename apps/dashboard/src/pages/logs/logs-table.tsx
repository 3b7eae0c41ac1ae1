import type { AuditRecord } from "../../api/types";
import { Badge, type BadgeTone } from "../../components/badge";
import { formatDateTime, formatNumber, formatUsd, maskedKey } from "../../lib/format";

function statusTone(status: number | null): BadgeTone {
  if (status === null) return "neutral";
  if (status < 300) return "green";
  if (status < 500) return "amber";
  return "red";
}

export function LogsTable({ records, onOpen }: { records: readonly AuditRecord[]; onOpen: (record: AuditRecord) => void }) {
  return (
    <div className="table-wrap">
      <table className="table logs-table" aria-label="Audit log records">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Event</th>
            <th scope="col">Key</th>
            <th scope="col">Endpoint</th>
            <th scope="col">Model</th>
            <th scope="col">Status</th>
            <th scope="col" className="numeric">
              Tokens
            </th>
            <th scope="col" className="numeric">
              Cost
            </th>
            <th scope="col" className="numeric">
              Latency
            </th>
            <th scope="col">Source IP</th>
            <th scope="col">
              <span className="visually-hidden">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {records.map((record) => (
            <tr key={record.id} data-testid="log-row" data-record-id={record.id} data-key-id={record.key_id ?? ""} data-event={record.event}>
              <td className="nowrap">{formatDateTime(record.timestamp)}</td>
              <td>
                <code>{record.event}</code>
              </td>
              <td>{record.key_id === null ? <span className="muted">—</span> : `${record.key_name ?? ""} ${maskedKey(record.key_id)}`.trim()}</td>
              <td className="nowrap">{record.endpoint === null ? <span className="muted">—</span> : <code>{record.endpoint}</code>}</td>
              <td>{record.model ?? <span className="muted">—</span>}</td>
              <td>{record.status === null ? <span className="muted">—</span> : <Badge tone={statusTone(record.status)}>{record.status}</Badge>}</td>
              <td className="numeric">{formatNumber(record.total_tokens)}</td>
              <td className="numeric">{formatUsd(record.cost_micros)}</td>
              <td className="numeric">{record.latency_ms === null ? "—" : `${formatNumber(record.latency_ms)} ms`}</td>
              <td className="nowrap">{record.source_ip ?? "—"}</td>
              <td className="cell-actions">
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => onOpen(record)}
                  aria-label={`Details of ${record.event} at ${formatDateTime(record.timestamp)}`}
                >
                  Details
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
