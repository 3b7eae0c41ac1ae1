import { type FormEvent, useState } from "react";
import { type ApiKey, AUDIT_EVENTS, GATEWAY_ENDPOINTS, type Model } from "../../api/types";
import { maskedKey } from "../../lib/format";
import { type LogQuery, RANGES, type RangeId } from "./log-query";

const STATUSES = ["200", "400", "401", "402", "403", "404", "413", "429", "500", "502", "503", "504"];

interface LogFiltersProps {
  query: LogQuery;
  keys: readonly ApiKey[];
  models: readonly Model[];
  onApply: (query: LogQuery) => void;
}

/** The filter bar: edits a draft and applies it on submit (Enter in any field works). */
export function LogFilters({ query, keys, models, onApply }: LogFiltersProps) {
  const [draft, setDraft] = useState(query);
  const set = <K extends keyof LogQuery>(field: K, value: LogQuery[K]) => setDraft((previous) => ({ ...previous, [field]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };

  return (
    <form className="filters card" onSubmit={submit} aria-label="Filter the audit log" data-testid="log-filters">
      <div className="field">
        <label htmlFor="filter-range">Time range</label>
        <select id="filter-range" value={draft.range} onChange={(event) => set("range", event.target.value as RangeId)}>
          {RANGES.map((range) => (
            <option key={range.id} value={range.id}>
              {range.label}
            </option>
          ))}
        </select>
      </div>
      {draft.range === "custom" && (
        <>
          <div className="field">
            <label htmlFor="filter-from">From</label>
            <input id="filter-from" type="datetime-local" value={draft.from} onChange={(event) => set("from", event.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="filter-to">To</label>
            <input id="filter-to" type="datetime-local" value={draft.to} onChange={(event) => set("to", event.target.value)} />
          </div>
        </>
      )}
      <div className="field">
        <label htmlFor="filter-key">Key</label>
        <select id="filter-key" value={draft.keyId} onChange={(event) => set("keyId", event.target.value)}>
          <option value="">All keys</option>
          {keys.map((key) => (
            <option key={key.id} value={key.id}>
              {key.name} {maskedKey(key.key_id)}
              {key.status === "active" ? "" : ` (${key.status})`}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-model">Model</label>
        <input
          id="filter-model"
          list="filter-model-options"
          value={draft.model}
          onChange={(event) => set("model", event.target.value)}
          placeholder="Any model"
        />
        <datalist id="filter-model-options">
          {models.map((model) => (
            <option key={model.id} value={model.id} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor="filter-endpoint">Endpoint</label>
        <input
          id="filter-endpoint"
          list="filter-endpoint-options"
          value={draft.endpoint}
          onChange={(event) => set("endpoint", event.target.value)}
          placeholder="Any endpoint"
        />
        <datalist id="filter-endpoint-options">
          {GATEWAY_ENDPOINTS.map((endpoint) => (
            <option key={endpoint} value={endpoint} />
          ))}
        </datalist>
      </div>
      <div className="field">
        <label htmlFor="filter-status">Status</label>
        <select id="filter-status" value={draft.status} onChange={(event) => set("status", event.target.value)}>
          <option value="">Any status</option>
          {STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-event">Event type</label>
        <select id="filter-event" value={draft.event} onChange={(event) => set("event", event.target.value)}>
          <option value="">All events</option>
          {AUDIT_EVENTS.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </div>
      <div className="filters-actions">
        <button type="submit" className="button button-primary">
          Apply filters
        </button>
      </div>
    </form>
  );
}
