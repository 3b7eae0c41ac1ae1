import { afterEach, describe, expect, it } from "vitest";
import Bentoo, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  BentooError,
  ConflictError,
  InsufficientCreditsError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
} from "../src/index.js";
import { client, closeAllServers, errorEnvelope, sendJSON, startServer } from "./helpers.js";

afterEach(closeAllServers);

async function failure(status: number, body: string | object, headers: Record<string, string> = {}): Promise<unknown> {
  const server = await startServer((_request, response) => {
    if (typeof body === "string") {
      response.writeHead(status, { "content-type": "text/html", ...headers });
      response.end(body);
    } else sendJSON(response, status, body, headers);
  });
  return client(server, { maxRetries: 0 })
    .models.list()
    .then(
      () => undefined,
      (error: unknown) => error,
    );
}

describe("one error class per status", () => {
  it.each([
    [400, BadRequestError, "invalid_request_error", "invalid_request", "messages"],
    [401, AuthenticationError, "authentication_error", "invalid_api_key", null],
    [402, InsufficientCreditsError, "billing_error", "insufficient_credits", null],
    [403, PermissionDeniedError, "permission_error", "ip_not_allowed", null],
    [404, NotFoundError, "not_found_error", "model_not_found", "model"],
    [409, ConflictError, "invalid_request_error", "conflict", null],
    [422, UnprocessableEntityError, "invalid_request_error", "invalid_request", "tools"],
    [429, RateLimitError, "rate_limit_error", "rate_limit_exceeded", null],
    [500, InternalServerError, "api_error", "internal_error", null],
    [502, InternalServerError, "upstream_error", "upstream_error", null],
    [503, InternalServerError, "upstream_error", "upstream_unavailable", null],
    [504, InternalServerError, "upstream_error", "upstream_timeout", null],
  ] as const)("%i → %o", async (status, ErrorClass, type, code, param) => {
    const error = await failure(status, errorEnvelope(`Something about ${code}. Do this instead.`, type, code, param), {
      "x-request-id": `req_${status}`,
    });
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toBeInstanceOf(APIError);
    expect(error).toBeInstanceOf(BentooError);
    expect(error).toBeInstanceOf(Error);
    const apiError = error as APIError;
    expect(apiError.name).toBe(ErrorClass.name);
    expect(apiError.status).toBe(status);
    expect(apiError.code).toBe(code);
    expect(apiError.type).toBe(type);
    expect(apiError.param).toBe(param);
    expect(apiError.requestID).toBe(`req_${status}`);
    expect(apiError.request_id).toBe(`req_${status}`);
    expect(apiError.headers?.get("content-type")).toBe("application/json");
    expect(apiError.error).toEqual({ message: `Something about ${code}. Do this instead.`, type, param, code });
    expect(apiError.message).toBe(`${status} Something about ${code}. Do this instead.`);
  });

  it("uses the generic APIError for statuses without a class", async () => {
    const error = await failure(413, errorEnvelope("Body too large", "invalid_request_error", "request_too_large"));
    expect(error).toBeInstanceOf(APIError);
    expect(error).not.toBeInstanceOf(BadRequestError);
    expect((error as APIError).status).toBe(413);
    expect((error as APIError).code).toBe("request_too_large");
  });

  it("tolerates a non-JSON body", async () => {
    const error = await failure(502, "<html><body>Bad gateway</body></html>");
    expect(error).toBeInstanceOf(InternalServerError);
    const apiError = error as APIError;
    expect(apiError.message).toBe("502 <html><body>Bad gateway</body></html>");
    expect(apiError.code).toBeUndefined();
    expect(apiError.type).toBeUndefined();
    expect(apiError.requestID).toBeNull();
  });

  it("tolerates an empty body and a JSON body without the envelope", async () => {
    expect(String(await failure(404, ""))).toBe("NotFoundError: 404 status code (no body)");
    const error = (await failure(400, { detail: "nope" })) as APIError;
    expect(error.message).toBe('400 {"detail":"nope"}');
    expect(error.error).toEqual({ detail: "nope" });
  });
});

describe("error classes", () => {
  it("are static properties of the Bentoo class", () => {
    expect(Bentoo.BentooError).toBe(BentooError);
    expect(Bentoo.APIError).toBe(APIError);
    expect(Bentoo.BadRequestError).toBe(BadRequestError);
    expect(Bentoo.AuthenticationError).toBe(AuthenticationError);
    expect(Bentoo.InsufficientCreditsError).toBe(InsufficientCreditsError);
    expect(Bentoo.PermissionDeniedError).toBe(PermissionDeniedError);
    expect(Bentoo.NotFoundError).toBe(NotFoundError);
    expect(Bentoo.ConflictError).toBe(ConflictError);
    expect(Bentoo.UnprocessableEntityError).toBe(UnprocessableEntityError);
    expect(Bentoo.RateLimitError).toBe(RateLimitError);
    expect(Bentoo.InternalServerError).toBe(InternalServerError);
    expect(Bentoo.APIConnectionError).toBe(APIConnectionError);
    expect(Bentoo.APIConnectionTimeoutError).toBe(APIConnectionTimeoutError);
    expect(Bentoo.APIUserAbortError).toBe(APIUserAbortError);
  });

  it("connection errors have no status and the timeout error is a connection error", () => {
    const timeout = new APIConnectionTimeoutError();
    expect(timeout).toBeInstanceOf(APIConnectionError);
    expect(timeout).toBeInstanceOf(APIError);
    expect(timeout.status).toBeUndefined();
    expect(timeout.message).toBe("Request timed out.");
    expect(new APIUserAbortError().message).toBe("Request was aborted.");
    const cause = new Error("ECONNREFUSED");
    expect(new APIConnectionError({ cause }).cause).toBe(cause);
  });
});
