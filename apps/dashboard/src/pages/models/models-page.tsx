import { useMemo, useState } from "react";
import { api } from "../../api/client";
import { Badge } from "../../components/badge";
import { EmptyState } from "../../components/empty-state";
import { ErrorState } from "../../components/error-state";
import { LoadingState } from "../../components/loading-state";
import { formatNumber, formatPrice } from "../../lib/format";
import { useAsync } from "../../lib/use-async";

/** The catalog: every model one key can reach, with prices per million tokens and context lengths. */
export function ModelsPage() {
  const { state, reload } = useAsync(() => api.models(), []);
  const [search, setSearch] = useState("");
  const models = useMemo(() => {
    if (state.status !== "ready") return [];
    const needle = search.trim().toLowerCase();
    return state.data.data.filter((model) => needle === "" || model.id.toLowerCase().includes(needle) || model.owned_by.toLowerCase().includes(needle));
  }, [state, search]);

  return (
    <>
      <div className="page-header">
        <h1>Models</h1>
        <div className="field field-inline">
          <label htmlFor="model-search">Search models</label>
          <input id="model-search" type="search" value={search} onChange={(event) => setSearch(event.target.value)} placeholder="gpt, claude, gemini…" />
        </div>
      </div>
      <p className="page-intro">
        One key gives access to every model below. Prices are in US dollars per million tokens; test keys are answered by the sandbox for free.
      </p>
      {state.status === "loading" && <LoadingState label="Loading the catalog…" />}
      {state.status === "error" && <ErrorState error={state.error} title="The catalog could not be loaded" onRetry={() => void reload()} />}
      {state.status === "ready" && models.length === 0 && <EmptyState title={search === "" ? "The catalog is empty" : "No model matches your search"} />}
      {state.status === "ready" && models.length > 0 && (
        <div className="table-wrap">
          <table className="table" aria-label="Model catalog">
            <thead>
              <tr>
                <th scope="col">Model</th>
                <th scope="col">Owned by</th>
                <th scope="col" className="numeric">
                  Context
                </th>
                <th scope="col" className="numeric">
                  Max output
                </th>
                <th scope="col" className="numeric">
                  Input / 1M tokens
                </th>
                <th scope="col" className="numeric">
                  Output / 1M tokens
                </th>
                <th scope="col">Live traffic</th>
              </tr>
            </thead>
            <tbody>
              {models.map((model) => (
                <tr key={model.id} data-testid="model-row" data-model-id={model.id}>
                  <th scope="row" className="cell-name">
                    <code>{model.id}</code>
                    {model.kind === "embedding" && (
                      <>
                        {" "}
                        <Badge tone="neutral" title={`POST /v1/embeddings; vectors of ${model.dimensions ?? "?"} dimensions`}>
                          Embeddings
                        </Badge>
                      </>
                    )}
                  </th>
                  <td>{model.owned_by}</td>
                  <td className="numeric">{model.context_length === null ? "—" : `${formatNumber(model.context_length)} tokens`}</td>
                  <td className="numeric">{formatNumber(model.max_output_tokens)}</td>
                  <td className="numeric">{formatPrice(model.pricing.input_per_mtok)}</td>
                  <td className="numeric">{model.kind === "embedding" ? "—" : formatPrice(model.pricing.output_per_mtok)}</td>
                  <td>
                    {model.available ? (
                      <Badge tone="green">Available</Badge>
                    ) : (
                      <Badge tone="neutral" title="No provider credentials are configured on this server: live keys get an error, test keys still work">
                        Sandbox only
                      </Badge>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
