import type { ReactNode } from "react";

export function StatCard({ label, value, detail, testId }: { label: string; value: ReactNode; detail?: ReactNode; testId?: string }) {
  return (
    <section className="card stat-card" aria-label={label} data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {detail !== undefined && <div className="stat-detail muted">{detail}</div>}
    </section>
  );
}
