/**
 * Money is integer micro-dollars (1 USD = 1,000,000 micros) everywhere; floats
 * appear only when a catalog file is parsed, and are rounded there once.
 */
export const MICROS_PER_USD = 1_000_000;
const TOKENS_PER_MTOK = 1_000_000;

/** USD per million tokens (as written in a catalog) → micro-dollars per million tokens. */
export function usdToMicros(usd: number): number {
  return Math.round(usd * MICROS_PER_USD);
}

/** Exact ceiling division for non-negative safe integers. */
function ceilDiv(numerator: number, divisor: number): number {
  let quotient = Math.floor(numerator / divisor);
  if (quotient * divisor > numerator) quotient -= 1;
  return quotient * divisor < numerator ? quotient + 1 : quotient;
}

/** Cost of `tokens` at `microsPerMtok`, rounded up to the next micro-dollar. */
export function tokenCostMicros(tokens: number, microsPerMtok: number): number {
  if (tokens <= 0 || microsPerMtok <= 0) return 0;
  return ceilDiv(tokens * microsPerMtok, TOKENS_PER_MTOK);
}

export function formatMicros(micros: number): string {
  const sign = micros < 0 ? "-" : "";
  const abs = Math.abs(micros);
  const dollars = Math.floor(abs / MICROS_PER_USD);
  const rest = String(abs % MICROS_PER_USD).padStart(6, "0");
  return `${sign}$${dollars}.${rest}`;
}
