import { api } from "../../api/client";
import type { AuditFilters } from "../../api/types";

/** Downloads of the filtered range: plain links, so the browser streams the file (the session cookie authenticates the GET). */
export function ExportLinks({ filters }: { filters: AuditFilters }) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a group of links; <fieldset> is meant for form controls
    <div className="export-links" role="group" aria-label="Export the filtered range">
      <a className="button" href={api.auditExportUrl("jsonl", filters)} download>
        Export JSONL
      </a>
      <a className="button" href={api.auditExportUrl("csv", filters)} download>
        Export CSV
      </a>
    </div>
  );
}
