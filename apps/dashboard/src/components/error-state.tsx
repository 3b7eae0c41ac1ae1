import type { ApiError } from "../api/client";

interface ErrorStateProps {
  error: ApiError;
  title?: string;
  onRetry?: () => void;
}

/** A failed load: the server's own message (it says what to do) and a retry. */
export function ErrorState({ error, title = "This could not be loaded", onRetry }: ErrorStateProps) {
  return (
    <div className="state state-error" role="alert">
      <strong>{title}</strong>
      <p>{error.message}</p>
      {error.status === 404 && error.code === "not_found" && <p className="muted">This server may be older than the dashboard: the endpoint is missing.</p>}
      {onRetry !== undefined && (
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}
