/**
 * Formats a duration the way OpenAI's `x-ratelimit-reset-*` headers do (Go's
 * time.Duration style): "20ms", "1s", "1.5s", "59.999s", "6m0s", "1m30.5s".
 * Durations of an hour or more (possible while a bucket is in debt) continue
 * the same style: "1h0m0s". Fractional ms are rounded up, so the header never
 * promises a reset earlier than the real one.
 */
export function formatResetDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`duration must be a non-negative finite number of ms, got ${String(ms)}`);
  const whole = Math.ceil(ms);
  if (whole < 1_000) return `${whole}ms`;
  const seconds = seconds3(whole % 60_000);
  if (whole < 60_000) return `${seconds}s`;
  const minutes = Math.floor(whole / 60_000);
  if (minutes < 60) return `${minutes}m${seconds}s`;
  return `${Math.floor(minutes / 60)}h${minutes % 60}m${seconds}s`;
}

/** Whole ms as seconds with up to 3 decimals, trailing zeros trimmed. */
function seconds3(ms: number): string {
  const fraction = ms % 1_000;
  const whole = String((ms - fraction) / 1_000);
  if (fraction === 0) return whole;
  return `${whole}.${String(fraction).padStart(3, "0").replace(/0+$/, "")}`;
}
