import { type ReactNode, useEffect } from "react";
import { AppShell } from "./components/app-shell";
import { LoadingState } from "./components/loading-state";
import { safeNext } from "./pages/auth/safe-next";
import { SignInPage } from "./pages/auth/sign-in-page";
import { SignUpPage } from "./pages/auth/sign-up-page";
import { ApiKeysPage } from "./pages/keys/api-keys-page";
import { LogsPage } from "./pages/logs/logs-page";
import { ModelsPage } from "./pages/models/models-page";
import { NotFoundPage } from "./pages/not-found-page";
import { OverviewPage } from "./pages/overview/overview-page";
import { SecurityPage } from "./pages/security/security-page";
import { WebhooksPage } from "./pages/webhooks/webhooks-page";
import { useRouter } from "./router/router-context";
import { useSession } from "./session/session-context";

const PUBLIC_PATHS = new Set(["/signin", "/signup"]);

/** The signed-in pages by path (deep links: the gateway serves index.html for each). */
const PAGES: Record<string, { title: string; render: () => ReactNode }> = {
  "/": { title: "Overview", render: () => <OverviewPage /> },
  "/settings/api-keys": { title: "API Keys", render: () => <ApiKeysPage /> },
  "/settings/security": { title: "Security", render: () => <SecurityPage /> },
  "/settings/webhooks": { title: "Webhooks", render: () => <WebhooksPage /> },
  "/logs": { title: "Logs", render: () => <LogsPage /> },
  "/models": { title: "Models", render: () => <ModelsPage /> },
};

export function App() {
  const { state } = useSession();
  const { location, navigate } = useRouter();
  const isPublic = PUBLIC_PATHS.has(location.path);
  const here = `${location.path}${location.search.size > 0 ? `?${location.search.toString()}` : ""}`;

  useEffect(() => {
    if (state.status === "signed-out" && !isPublic) {
      navigate(here === "/" ? "/signin" : `/signin?next=${encodeURIComponent(here)}`, { replace: true });
    } else if (state.status === "signed-in" && isPublic) {
      navigate(safeNext(location.search.get("next")), { replace: true });
    } else if (location.path === "/settings") {
      navigate("/settings/api-keys", { replace: true });
    }
  }, [state.status, isPublic, here, location.path, location.search, navigate]);

  if (state.status === "loading") return <LoadingState label="Loading your dashboard…" />;
  if (isPublic) {
    if (state.status === "signed-in") return <LoadingState />;
    return location.path === "/signup" ? <SignUpPage /> : <SignInPage />;
  }
  if (state.status === "signed-out") return <LoadingState label="Redirecting to sign in…" />;

  const page = PAGES[location.path];
  return <AppShell title={page?.title ?? "Not found"}>{page === undefined ? <NotFoundPage /> : page.render()}</AppShell>;
}
