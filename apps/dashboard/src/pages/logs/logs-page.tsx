import { useEffect, useMemo, useState } from "react";
import { api } from "../../api/client";
import type { AuditRecord } from "../../api/types";
import { EmptyState } from "../../components/empty-state";
import { ErrorState } from "../../components/error-state";
import { LoadingState } from "../../components/loading-state";
import { formatDateTime } from "../../lib/format";
import { useAsync } from "../../lib/use-async";
import { useRouter } from "../../router/router-context";
import { ExportLinks } from "./export-links";
import { LogDetailDialog } from "./log-detail-dialog";
import { LogFilters } from "./log-filters";
import { queryFromSearch, resolveFilters, searchFromQuery } from "./log-query";
import { LogsTable } from "./logs-table";

const PAGE_SIZE = 50;

export function LogsPage() {
  const { location, navigate } = useRouter();
  const query = queryFromSearch(location.search);
  const searchKey = searchFromQuery(query);
  const [now, setNow] = useState(() => Date.now());
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const [open, setOpen] = useState<AuditRecord | null>(null);

  // New filters: fix the range anew and start from the first page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the filters (searchKey) change, which the body does not read
  useEffect(() => {
    setNow(Date.now());
    setCursors([null]);
  }, [searchKey]);

  const filters = useMemo(() => resolveFilters(queryFromSearch(new URLSearchParams(searchKey)), now), [searchKey, now]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useAsync(() => api.auditLogs(filters, { limit: PAGE_SIZE, cursor }), [filters, cursor]);
  const keys = useAsync(
    () =>
      api.listKeys({ limit: 200 }).then(
        (list) => list.data,
        () => [],
      ),
    [],
  );
  const models = useAsync(
    () =>
      api.models().then(
        (list) => list.data,
        () => [],
      ),
    [],
  );

  const refresh = () => {
    setNow(Date.now());
    setCursors([null]);
  };

  return (
    <>
      <div className="page-header">
        <h1>Logs</h1>
        <div className="header-actions">
          <button type="button" className="button" onClick={refresh}>
            Refresh
          </button>
          <ExportLinks filters={filters} />
        </div>
      </div>
      <p className="page-intro">
        Every API request and account change, newest data included up to {formatDateTime(filters.end ?? new Date(now).toISOString())}. Keys appear by their last
        four characters only.
      </p>
      <LogFilters
        key={searchKey}
        query={query}
        keys={keys.state.status === "ready" ? keys.state.data : []}
        models={models.state.status === "ready" ? models.state.data : []}
        onApply={(next) => {
          const target = searchFromQuery(next);
          if (target === searchKey) refresh();
          else navigate(`/logs?${target}`);
        }}
      />

      {page.state.status === "loading" && <LoadingState label="Loading audit records…" />}
      {page.state.status === "error" && <ErrorState error={page.state.error} title="The audit log could not be loaded" onRetry={() => void page.reload()} />}
      {page.state.status === "ready" && page.state.data.data.length === 0 && (
        <EmptyState title="No records match these filters">
          Widen the time range or clear a filter. Requests appear here a moment after they are made.
        </EmptyState>
      )}
      {page.state.status === "ready" && page.state.data.data.length > 0 && <LogsTable records={page.state.data.data} onOpen={setOpen} />}
      {page.state.status === "ready" && (cursors.length > 1 || page.state.data.has_more) && (
        <nav className="pager" aria-label="Audit log pages">
          <button type="button" className="button" disabled={cursors.length === 1} onClick={() => setCursors((stack) => stack.slice(0, -1))}>
            Previous page
          </button>
          <span className="muted">Page {cursors.length}</span>
          <button
            type="button"
            className="button"
            disabled={!page.state.data.has_more || page.state.data.next_cursor === null}
            onClick={() => {
              const next = page.state.status === "ready" ? page.state.data.next_cursor : null;
              if (next !== null) setCursors((stack) => [...stack, next]);
            }}
          >
            Next page
          </button>
        </nav>
      )}
      {open !== null && <LogDetailDialog record={open} onClose={() => setOpen(null)} />}
    </>
  );
}
