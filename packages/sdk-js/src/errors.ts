/**
 * One error class per HTTP status, the shape of openai-node's errors. Every error the
 * SDK throws is a `BentooError`; every error about a request is an `APIError`.
 * The server's error envelope is `{"error":{"message","type","param","code"}}`.
 */

export class BentooError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class APIError extends BentooError {
  /** The HTTP status; `undefined` for connection errors and aborted requests. */
  readonly status: number | undefined;
  /** The response headers; `undefined` when no response was received. */
  readonly headers: Headers | undefined;
  /** The `error` object of the envelope, or the whole body when it has no envelope. */
  readonly error: unknown;
  /** The stable error code, such as `invalid_api_key` or `rate_limit_exceeded`. */
  readonly code: string | null | undefined;
  /** The request parameter at fault, when there is one. */
  readonly param: string | null | undefined;
  /** The error family, such as `authentication_error`. */
  readonly type: string | undefined;
  /** The `x-request-id` response header: quote it when you contact the operator. */
  readonly requestID: string | null | undefined;

  constructor(status: number | undefined, error: unknown, message: string | undefined, headers: Headers | undefined, options?: { cause?: unknown }) {
    super(composeMessage(status, error, message), options);
    this.status = status;
    this.headers = headers;
    this.error = error;
    this.requestID = headers?.get("x-request-id");
    const fields = isRecord(error) ? error : {};
    this.code = stringOrNull(fields.code);
    this.param = stringOrNull(fields.param);
    this.type = typeof fields.type === "string" ? fields.type : undefined;
  }

  /** Alias of `requestID`, spelled like the header and the Python SDK. */
  get request_id(): string | null | undefined {
    return this.requestID;
  }

  /** Builds the subclass that matches `status`. */
  static generate(status: number | undefined, error: unknown, message: string | undefined, headers: Headers | undefined): APIError {
    const ErrorClass = status === undefined ? APIError : classForStatus(status);
    return new ErrorClass(status, error, message, headers);
  }
}

export class BadRequestError extends APIError {}
export class AuthenticationError extends APIError {}
export class InsufficientCreditsError extends APIError {}
export class PermissionDeniedError extends APIError {}
export class NotFoundError extends APIError {}
export class ConflictError extends APIError {}
export class UnprocessableEntityError extends APIError {}
export class RateLimitError extends APIError {}
export class InternalServerError extends APIError {}

export class APIConnectionError extends APIError {
  constructor(options: { message?: string; cause?: unknown } = {}) {
    super(undefined, undefined, options.message ?? "Connection error.", undefined, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

export class APIConnectionTimeoutError extends APIConnectionError {
  constructor(options: { message?: string } = {}) {
    super({ message: options.message ?? "Request timed out." });
  }
}

export class APIUserAbortError extends APIError {
  constructor(options: { message?: string } = {}) {
    super(undefined, undefined, options.message ?? "Request was aborted.", undefined);
  }
}

type APIErrorClass = new (status: number | undefined, error: unknown, message: string | undefined, headers: Headers | undefined) => APIError;

const CLASS_BY_STATUS: ReadonlyMap<number, APIErrorClass> = new Map<number, APIErrorClass>([
  [400, BadRequestError],
  [401, AuthenticationError],
  [402, InsufficientCreditsError],
  [403, PermissionDeniedError],
  [404, NotFoundError],
  [409, ConflictError],
  [422, UnprocessableEntityError],
  [429, RateLimitError],
]);

function classForStatus(status: number): APIErrorClass {
  if (status >= 500) return InternalServerError;
  return CLASS_BY_STATUS.get(status) ?? APIError;
}

/**
 * The HTTP status an error `type` stands for. A stream reports errors after its
 * `200 OK`, so the status is recovered from the error itself to pick the class.
 */
const STATUS_BY_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  insufficient_quota: 402,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
  api_error: 500,
  server_error: 500,
  upstream_error: 502,
};

export function statusOfErrorObject(error: unknown): number | undefined {
  if (!isRecord(error)) return undefined;
  const status = error.status;
  if (typeof status === "number" && Number.isInteger(status) && status >= 400 && status <= 599) return status;
  const type = error.type;
  return typeof type === "string" ? STATUS_BY_TYPE[type] : undefined;
}

/** Turns a response body (already read as text) into the `error` value of an `APIError`. */
export function errorFromBody(text: string): unknown {
  if (text.trim() === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text.length > 500 ? `${text.slice(0, 500)}…` : text;
  }
  if (isRecord(parsed) && isRecord(parsed.error)) return parsed.error;
  return parsed;
}

function composeMessage(status: number | undefined, error: unknown, message: string | undefined): string {
  const detail = describe(error) ?? message;
  if (status !== undefined && detail) return `${status} ${detail}`;
  if (status !== undefined) return `${status} status code (no body)`;
  return detail ?? "(no status code or body)";
}

function describe(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  if (typeof error === "string") return error;
  if (isRecord(error) && typeof error.message === "string") return error.message;
  return JSON.stringify(error);
}

function stringOrNull(value: unknown): string | null | undefined {
  if (value === null) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
