import type { ReactNode } from "react";

type Tone = "error" | "warning" | "success" | "info";

/** Errors and warnings are announced at once (role=alert); success and info politely (role=status). */
export function Alert({ tone, children, testId }: { tone: Tone; children: ReactNode; testId?: string }) {
  const role = tone === "error" || tone === "warning" ? "alert" : "status";
  return (
    <div className={`alert alert-${tone}`} role={role} data-testid={testId}>
      {children}
    </div>
  );
}
