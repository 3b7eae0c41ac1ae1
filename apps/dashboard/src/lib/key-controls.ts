import type { ApiKeyJson, KeyRequest, KeyScope, SpendPeriod } from "../api/types";

/** The scopes the create dialog offers, in the order it shows them; new keys start with the first two. */
export const SCOPE_CHOICES: ReadonlyArray<{ scope: KeyScope; title: string; detail: string }> = [
  { scope: "inference", title: "Models", detail: "call every model endpoint and list the models" },
  { scope: "key:read", title: "Key info", detail: "read /v1/key: this key's limits, budget and credits" },
  { scope: "audit:read", title: "Audit log", detail: "read the account's audit log, with every request's source address" },
];

export const DEFAULT_SCOPES: readonly KeyScope[] = ["inference", "key:read"];

export const PERIOD_LABELS: Readonly<Record<SpendPeriod, string>> = { day: "per day", week: "per week", month: "per month", total: "in total" };

/** What the create dialog's controls hold, as typed. */
export interface ControlsForm {
  scopes: readonly KeyScope[];
  rpm: string;
  tpm: string;
  /** USD, as typed ("20", "4.50"); empty = no budget. */
  budget: string;
  period: SpendPeriod;
  /** Comma-separated ids and patterns; empty = every model. */
  models: string;
}

export const EMPTY_CONTROLS: ControlsForm = { scopes: DEFAULT_SCOPES, rpm: "", tpm: "", budget: "", period: "month", models: "" };

/** A problem with what was typed, and the field it is in (the server checks everything again). */
export interface FormProblem {
  param: string;
  message: string;
}

const USD = /^(\d*)(?:\.(\d*))?$/;

/** "20", "4.5", "$0.25" → micro-dollars with integer arithmetic only; null when it is not an amount (more than 6 decimals included). */
export function usdToMicros(text: string): number | null {
  const match = USD.exec(text.trim().replace(/^\$/, ""));
  if (match === null) return null;
  const whole = match[1] ?? "";
  const fraction = match[2] ?? "";
  if (whole + fraction === "" || fraction.length > 6 || whole.length > 9) return null;
  return Number(whole === "" ? "0" : whole) * 1_000_000 + Number(fraction.padEnd(6, "0"));
}

/** Micro-dollars as the USD a person types: 20000000 → "20", 4500000 → "4.5", 1 → "0.000001". */
export function microsToUsdText(micros: number): string {
  const whole = Math.floor(micros / 1_000_000);
  const fraction = String(micros % 1_000_000)
    .padStart(6, "0")
    .replace(/0+$/, "");
  return fraction === "" ? String(whole) : `${whole}.${fraction}`;
}

/** The form showing a key's current controls, for the edit dialog. */
export function controlsOfKey(key: Pick<ApiKeyJson, "scopes" | "models" | "rpm_limit" | "tpm_limit" | "spend_cap">): ControlsForm {
  return {
    scopes: [...key.scopes],
    rpm: key.rpm_limit === null ? "" : String(key.rpm_limit),
    tpm: key.tpm_limit === null ? "" : String(key.tpm_limit),
    budget: key.spend_cap === null ? "" : microsToUsdText(key.spend_cap.amount_micros),
    period: key.spend_cap?.period ?? "month",
    models: key.models === null ? "" : key.models.join(", "),
  };
}

function perMinute(text: string, param: string, label: string): number | null | FormProblem {
  if (text.trim() === "") return null;
  const value = Number(text.trim());
  if (!Number.isSafeInteger(value) || value < 1) return { param, message: `${label} must be a whole number of at least 1, or empty for the account's limit.` };
  return value;
}

/**
 * The request members for the controls set; a problem for the first field that
 * cannot be sent. At creation an empty field is left out (the default); in a
 * change (`clearEmpty`) it is sent as null, which removes that control.
 */
export function controlsRequest(form: ControlsForm, options: { clearEmpty?: boolean } = {}): Partial<KeyRequest> | FormProblem {
  if (form.scopes.length === 0) return { param: "scopes", message: "Choose at least one permission." };
  const request: Partial<KeyRequest> = { scopes: [...form.scopes] };
  const clear = options.clearEmpty === true;
  const rpm = perMinute(form.rpm, "rpm_limit", "Requests per minute");
  if (typeof rpm === "object" && rpm !== null) return rpm;
  if (rpm !== null || clear) request.rpm_limit = rpm;
  const tpm = perMinute(form.tpm, "tpm_limit", "Tokens per minute");
  if (typeof tpm === "object" && tpm !== null) return tpm;
  if (tpm !== null || clear) request.tpm_limit = tpm;
  if (form.budget.trim() !== "") {
    const micros = usdToMicros(form.budget);
    if (micros === null) return { param: "spend_cap", message: "The budget must be an amount in USD such as 20 or 4.50 (at most 6 decimals)." };
    request.spend_cap = { amount_micros: micros, period: form.period };
  } else if (clear) request.spend_cap = null;
  const models = form.models
    .split(",")
    .map((model) => model.trim())
    .filter((model) => model !== "");
  if (models.length > 0) request.models = models;
  else if (clear) request.models = null;
  return request;
}

export function isProblem(value: object): value is FormProblem {
  return "message" in value && "param" in value;
}

/** A short line of what restricts a key beyond its account, for the keys table; null for a key with the defaults. */
export function restrictionSummary(key: Pick<ApiKeyJson, "scopes" | "models" | "rpm_limit" | "tpm_limit">): string | null {
  const parts: string[] = [];
  const defaults = key.scopes.length === DEFAULT_SCOPES.length && DEFAULT_SCOPES.every((scope) => key.scopes.includes(scope));
  if (!defaults) parts.push(key.scopes.join(", "));
  if (key.models !== null) parts.push(key.models.length <= 2 ? key.models.join(", ") : `${key.models.length} model patterns`);
  if (key.rpm_limit !== null) parts.push(`${key.rpm_limit.toLocaleString("en-US")} req/min`);
  if (key.tpm_limit !== null) parts.push(`${key.tpm_limit.toLocaleString("en-US")} tok/min`);
  return parts.length === 0 ? null : parts.join(" · ");
}
