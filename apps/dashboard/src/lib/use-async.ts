import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError } from "../api/client";

/** The three states every page renders: loading, failed (with the server's message), loaded. */
export type AsyncState<T> = { status: "loading" } | { status: "error"; error: ApiError } | { status: "ready"; data: T };

export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, error instanceof Error ? error.message : "Something went wrong; try again.");
}

/**
 * Runs `load` on mount and whenever `deps` change; `reload()` runs it again
 * (keeping the old data on screen while it does, so refreshes don't flash).
 * A stale answer (from before the latest run) is ignored.
 */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): { state: AsyncState<T>; reload: () => Promise<void> } {
  const [state, setState] = useState<AsyncState<T>>({ status: "loading" });
  const run = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  const execute = useCallback(async (showLoading: boolean) => {
    const id = ++run.current;
    if (showLoading) setState({ status: "loading" });
    try {
      const data = await loadRef.current();
      if (id === run.current) setState({ status: "ready", data });
    } catch (error) {
      if (id === run.current) setState({ status: "error", error: asApiError(error) });
    }
  }, []);

  useEffect(() => {
    void execute(true);
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller lists what `load` depends on (biome.jsonc checks each call's list)
  }, deps);

  const reload = useCallback(() => execute(false), [execute]);
  return { state, reload };
}
