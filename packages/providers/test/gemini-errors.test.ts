import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type FakeGemini, startFakeGemini } from "@bentoo/test-kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GeminiAdapter } from "../src/gemini/adapter.js";
import { textRequest } from "./calls.js";
import { providerOfType, translatedCall } from "./translated-calls.js";

/** Gemini's error answers (https://ai.google.dev/gemini-api/docs/troubleshooting#error-codes) as Bentoo's errors. */
describe("Gemini adapter: upstream errors", () => {
  let upstream: FakeGemini;
  let adapter: GeminiAdapter;

  beforeAll(async () => {
    upstream = await startFakeGemini({ apiKey: "AIza-right" });
    adapter = new GeminiAdapter(providerOfType("gemini", upstream.url), "AIza-right");
  });
  afterAll(async () => {
    await adapter?.close();
    await upstream?.close();
  });

  const failure = async (upstreamModel: string, stream = false, using = adapter) =>
    using.send(translatedCall(upstreamModel, textRequest("hi", { stream })), { providerId: "gemini", upstreamModel }).then(
      () => {
        throw new Error(`${upstreamModel} answered`);
      },
      (error: unknown) => error as { code: string; status: number; retryable: boolean; transient: boolean; message: string },
    );

  it.each([
    // model, code, status, retryable (the model's next route is tried), transient (the same route may be asked again)
    ["fake-error-400", "upstream_rejected_request", 400, false, false],
    ["fake-error-key", "upstream_auth_failed", 502, true, false],
    ["fake-error-precondition", "upstream_error", 502, true, false],
    ["fake-error-403", "upstream_auth_failed", 502, true, false],
    ["fake-error-404", "upstream_error", 502, true, false],
    ["fake-error-429", "upstream_unavailable", 503, true, true],
    ["fake-error-500", "upstream_error", 502, true, true],
    ["fake-error-503", "upstream_error", 502, true, true],
    ["fake-error-504", "upstream_timeout", 504, true, false],
  ] as const)("%s → %s (%i), retryable %s, transient %s, JSON or stream", async (model, code, status, retryable, transient) => {
    for (const stream of [false, true]) expect(await failure(model, stream)).toMatchObject({ code, status, retryable, transient });
  });

  it("a quota error's RetryInfo delay is the wait before the same route is asked again", async () => {
    expect(await failure("fake-error-429")).toMatchObject({ retryAfterMs: 1000 });
    expect(await failure("fake-error-503")).toMatchObject({ retryAfterMs: null });
  });

  it("a client mistake carries Gemini's message; an operator problem names what to check and not the key", async () => {
    expect((await failure("fake-error-400")).message).toContain("Request contains an invalid argument.");
    const precondition = await failure("fake-error-precondition");
    expect(precondition.message).toContain("User location is not supported");
    const wrongKey = new GeminiAdapter(providerOfType("gemini", upstream.url), "AIza-wrong-secret");
    try {
      const error = await failure("gemini-2.5-flash", false, wrongKey);
      expect(error).toMatchObject({ code: "upstream_auth_failed", retryable: true });
      expect(error.message).toContain("GEMINI_API_KEY");
      expect(error.message).not.toContain("AIza-wrong-secret");
    } finally {
      await wrongKey.close();
    }
  });

  it("a 200 that is not a GenerateContentResponse is a bad response, not retried", async () => {
    for (const body of ['{"candidates":[]}', "<html>busy</html>", '{"error":{"code":500,"message":"x"}}']) {
      const server = createServer((_request, response) => response.end(body));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const odd = new GeminiAdapter(providerOfType("gemini", `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1beta`), "key");
      try {
        expect(await failure("gemini-2.5-flash", false, odd)).toMatchObject({ code: "upstream_bad_response", status: 502 });
      } finally {
        await odd.close();
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });
});
