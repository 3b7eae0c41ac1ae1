/**
 * Waits between a delivery's attempts: the first attempt goes out at once, then
 * one after each of these, growing roughly fivefold and then doubling up to 8 h,
 * which adds up to about 23.5 hours. After the last, the delivery is `failed`
 * (a redelivery starts the series again). Svix and Stripe retry for a day to three.
 */
export const DEFAULT_WEBHOOK_RETRY_DELAYS_MS: readonly number[] = [
  5_000,
  30_000,
  2 * 60_000,
  10 * 60_000,
  30 * 60_000,
  60 * 60_000,
  2 * 3_600_000,
  4 * 3_600_000,
  8 * 3_600_000,
  8 * 3_600_000,
];

/** The wait after failed attempt number `attempts` (1-based), or null when that was the last one. */
export function retryDelayAfter(attempts: number, delaysMs: readonly number[] = DEFAULT_WEBHOOK_RETRY_DELAYS_MS): number | null {
  return attempts >= 1 && attempts <= delaysMs.length ? (delaysMs[attempts - 1] ?? null) : null;
}
