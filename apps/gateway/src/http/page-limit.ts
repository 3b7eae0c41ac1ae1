import { BentooError } from "@bentoo/core";

/** The `limit` query parameter of a list endpoint: absent → `fallback`, else an integer in 1..`max` (400 otherwise, never clamped). */
export function pageLimit(query: Record<string, unknown>, max: number, fallback = 100): number {
  const raw = query.limit;
  if (raw === undefined || raw === "") return fallback;
  const limit = typeof raw === "string" ? Number(raw) : Number.NaN;
  if (!Number.isInteger(limit) || limit < 1 || limit > max)
    throw new BentooError("invalid_request", `limit must be an integer from 1 to ${max}.`, { param: "limit" });
  return limit;
}
