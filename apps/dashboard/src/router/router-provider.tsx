import { type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import { type Router, RouterContext, readLocation } from "./router-context";

export function RouterProvider({ children }: { children: ReactNode }) {
  const [location, setLocation] = useState(readLocation);

  useEffect(() => {
    const onPopState = () => setLocation(readLocation());
    window.addEventListener("popstate", onPopState);
    return () => window.removeEventListener("popstate", onPopState);
  }, []);

  const navigate = useCallback((to: string, options: { replace?: boolean } = {}) => {
    const current = `${window.location.pathname}${window.location.search}`;
    if (to !== current) {
      if (options.replace === true) window.history.replaceState(null, "", to);
      else window.history.pushState(null, "", to);
    }
    setLocation(readLocation());
  }, []);

  const router = useMemo<Router>(() => ({ location, navigate }), [location, navigate]);
  return <RouterContext.Provider value={router}>{children}</RouterContext.Provider>;
}
