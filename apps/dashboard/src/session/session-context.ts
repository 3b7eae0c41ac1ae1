import { createContext, useContext } from "react";
import type { Account } from "../api/types";

export type SessionState = { status: "loading" } | { status: "signed-out"; expired: boolean } | { status: "signed-in"; account: Account };

export interface Session {
  state: SessionState;
  signIn(email: string, password: string): Promise<void>;
  signUp(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
  /** Re-reads the account (balance, active key count, plan, allowlist) after a change. */
  refresh(): Promise<void>;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error("useSession needs a <SessionProvider> above it");
  return session;
}

/** The signed-in account; only for components rendered inside the signed-in shell. */
export function useAccount(): Account {
  const { state } = useSession();
  if (state.status !== "signed-in") throw new Error("useAccount outside the signed-in shell");
  return state.account;
}
