import { createContext, useContext } from "react";

/**
 * A tiny client-side router over the History API: enough for a handful of
 * deep-linkable pages (the gateway answers every dashboard path with
 * index.html). Query strings carry page state such as log filters.
 */
export interface Location {
  path: string;
  search: URLSearchParams;
}

export interface Router {
  location: Location;
  navigate(to: string, options?: { replace?: boolean }): void;
}

export const RouterContext = createContext<Router | null>(null);

export function readLocation(): Location {
  return { path: window.location.pathname.replace(/\/+$/, "") || "/", search: new URLSearchParams(window.location.search) };
}

export function useRouter(): Router {
  const router = useContext(RouterContext);
  if (router === null) throw new Error("useRouter needs a <RouterProvider> above it");
  return router;
}
