import { type ReactNode, useCallback, useEffect, useMemo, useState } from "react";
import { ApiError, api, onSessionExpired, setCsrfToken } from "../api/client";
import { type Session, SessionContext, type SessionState } from "./session-context";

/** Holds who is signed in. Any `invalid_session` answer from the API signs the page out (the app then shows /signin). */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: "loading" });

  const refresh = useCallback(async () => {
    try {
      const { account } = await api.account();
      setState({ status: "signed-in", account });
    } catch (error) {
      if (error instanceof ApiError && error.code === "invalid_session") setState({ status: "signed-out", expired: false });
      else throw error;
    }
  }, []);

  useEffect(() => {
    refresh().catch(() => setState({ status: "signed-out", expired: false }));
    return onSessionExpired(() => {
      setCsrfToken(null);
      // Several requests in flight may each report it; the first one decides.
      setState((previous) => (previous.status === "signed-out" ? previous : { status: "signed-out", expired: previous.status === "signed-in" }));
    });
  }, [refresh]);

  const session = useMemo<Session>(
    () => ({
      state,
      refresh,
      async signIn(email, password) {
        const { account } = await api.signIn(email, password);
        setState({ status: "signed-in", account });
      },
      async signUp(email, password) {
        const { account } = await api.signUp(email, password);
        setState({ status: "signed-in", account });
      },
      async signOut() {
        // Signed out on this page whatever the answer: an already-ended session is the same outcome.
        await api.signOut().catch(() => undefined);
        setCsrfToken(null);
        setState({ status: "signed-out", expired: false });
      },
    }),
    [state, refresh],
  );
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}
