import { BentooError } from "./errors.js";

/**
 * Parsing at the boundary: request bodies arrive as `unknown` and leave as
 * typed values, or as a 400 naming the parameter and what to send instead.
 */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function invalid(param: string, message: string): BentooError {
  return new BentooError("invalid_request", message, { param });
}

export function requireBodyObject(body: unknown): JsonObject {
  if (!isJsonObject(body)) throw new BentooError("invalid_request", "The request body must be a JSON object; send Content-Type: application/json.");
  return body;
}

export function optionalString(body: JsonObject, param: string, options: { maxLength?: number; trim?: boolean } = {}): string | undefined {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw invalid(param, `${param} must be a string.`);
  const text = options.trim === false ? value : value.trim();
  if (text === "") throw invalid(param, `${param} must not be empty.`);
  if (options.maxLength !== undefined && text.length > options.maxLength) throw invalid(param, `${param} must be at most ${options.maxLength} characters.`);
  return text;
}

export function requireString(body: JsonObject, param: string, options: { maxLength?: number; trim?: boolean } = {}): string {
  const value = optionalString(body, param, options);
  if (value === undefined) throw invalid(param, `${param} is required.`);
  return value;
}

export function optionalInteger(body: JsonObject, param: string, options: { min?: number; max?: number } = {}): number | undefined {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value)) throw invalid(param, `${param} must be an integer.`);
  if (options.min !== undefined && value < options.min) throw invalid(param, `${param} must be at least ${options.min}.`);
  if (options.max !== undefined && value > options.max) throw invalid(param, `${param} must be at most ${options.max}.`);
  return value;
}

export function optionalBoolean(body: JsonObject, param: string): boolean | undefined {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw invalid(param, `${param} must be true or false.`);
  return value;
}

export function optionalEnum<T extends string>(body: JsonObject, param: string, allowed: readonly T[]): T | undefined {
  const value = body[param];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || !(allowed as readonly string[]).includes(value)) throw invalid(param, `${param} must be one of: ${allowed.join(", ")}.`);
  return value as T;
}

/** An optional list of strings; `null` clears it. */
export function optionalStringList(body: JsonObject, param: string, options: { maxItems?: number } = {}): string[] | null | undefined {
  if (!(param in body)) return undefined;
  const value = body[param];
  if (value === null) return null;
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== "string")) throw invalid(param, `${param} must be a list of strings, or null.`);
  if (options.maxItems !== undefined && value.length > options.maxItems) throw invalid(param, `${param} may hold at most ${options.maxItems} entries.`);
  return value as string[];
}

/**
 * Refuses members a management endpoint does not take, naming the first: a
 * misspelt or unsupported field silently ignored would let a caller believe a
 * setting took effect when it did not.
 */
export function rejectUnknownMembers(body: JsonObject, allowed: readonly string[]): void {
  for (const member of Object.keys(body)) {
    if (!allowed.includes(member)) {
      throw invalid(member, `Unknown parameter: ${member}. This endpoint accepts: ${allowed.join(", ")}.`);
    }
  }
}
