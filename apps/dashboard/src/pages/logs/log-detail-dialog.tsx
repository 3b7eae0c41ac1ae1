import type { AuditRecord } from "../../api/types";
import { Dialog } from "../../components/dialog";
import { formatDateTime, formatNumber, formatUsd, maskedKey } from "../../lib/format";

function row(label: string, value: string | number | null | undefined) {
  return { label, value: value === null || value === undefined || value === "" ? "—" : String(value) };
}

/** Every field of one audit record. */
export function LogDetailDialog({ record, onClose }: { record: AuditRecord; onClose: () => void }) {
  const rows = [
    row("Record id", record.id),
    row("Time", `${formatDateTime(record.timestamp)} (${record.timestamp})`),
    row("Type", record.type),
    row("Event", record.event),
    row("Request id", record.request_id),
    row("Endpoint", record.endpoint),
    row("Key", record.key_id === null ? null : `${record.key_name ?? ""} ${maskedKey(record.key_id)}`.trim()),
    row("Internal key id", record.api_key_id),
    row("Model", record.model),
    row("Provider", record.provider),
    row("Status", record.status),
    row("Error code", record.error_code),
    row("Prompt tokens", record.prompt_tokens === null ? null : formatNumber(record.prompt_tokens)),
    row("Completion tokens", record.completion_tokens === null ? null : formatNumber(record.completion_tokens)),
    row("Cache read tokens", record.cache_read_tokens === null ? null : formatNumber(record.cache_read_tokens)),
    row("Cache write tokens", record.cache_write_tokens === null ? null : formatNumber(record.cache_write_tokens)),
    row("Reasoning tokens", record.reasoning_tokens === null ? null : formatNumber(record.reasoning_tokens)),
    row("Total tokens", record.total_tokens === null ? null : `${formatNumber(record.total_tokens)}${record.usage_estimated === true ? " (estimated)" : ""}`),
    row("Cost", record.cost_micros === null ? null : `${formatUsd(record.cost_micros)} (${record.cost_micros} micro-dollars)`),
    row("Latency", record.latency_ms === null ? null : `${formatNumber(record.latency_ms)} ms`),
    row("Source IP", record.source_ip),
    row("User agent", record.user_agent),
    row("Actor", record.actor),
  ];
  return (
    <Dialog title="Audit record" onClose={onClose} wide testId="log-detail-dialog">
      <dl className="detail-list">
        {rows.map((entry) => (
          <div key={entry.label}>
            <dt>{entry.label}</dt>
            <dd>{entry.value}</dd>
          </div>
        ))}
        {record.metadata !== null && (
          <div>
            <dt>Metadata</dt>
            <dd>
              <pre className="metadata">{JSON.stringify(record.metadata, null, 2)}</pre>
            </dd>
          </div>
        )}
      </dl>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose} data-autofocus>
          Close
        </button>
      </div>
    </Dialog>
  );
}
