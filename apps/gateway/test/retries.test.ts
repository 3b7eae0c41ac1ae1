import { parseCatalog } from "@bentoo/core";
import { type FakeUpstream, startFakeUpstream } from "@bentoo/test-kit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bearer, createTestApp, type TestApp } from "./helpers.js";

describe("retries of a route before the next one", () => {
  let upstream: FakeUpstream;
  let t: TestApp | undefined;

  beforeEach(async () => {
    upstream = await startFakeUpstream();
  });
  afterEach(async () => {
    await t?.dispose();
    await upstream.close();
  });

  /** One model per case; `retries` are the provider's settings. */
  async function app(retries: { max_retries?: number; max_retry_wait_ms?: number }, routes: Array<[string, string]>) {
    t = await createTestApp({
      catalog: parseCatalog({
        providers: [
          { id: "flaky", type: "openai", base_url: upstream.url, api_key_env: null, ...retries },
          { id: "steady", type: "openai", base_url: upstream.url, api_key_env: null, max_retries: 0 },
        ],
        models: [
          {
            id: "m",
            providers: routes.map(([provider, upstreamModel]) => ({ provider, upstream_model: upstreamModel })),
            input_price_per_mtok: 0,
            output_price_per_mtok: 1000,
            context_length: 8192,
          },
        ],
      }),
    });
    const { key } = await t.seedAccount({ mode: "live", balanceMicros: 1_000_000 });
    return () =>
      t!.app.inject({
        method: "POST",
        url: "/v1/chat/completions",
        headers: bearer(key),
        payload: { model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 5 },
      });
  }

  const asked = (model: string) => upstream.requests.filter((request) => (request.body as { model?: string }).model === model).length;

  it("asks the same route again after the wait its Retry-After names", async () => {
    // 150 ms in all: the provider's 100 ms fits, an exponential backoff (200 ms or more) would not.
    const chat = await app({ max_retries: 2, max_retry_wait_ms: 150 }, [["flaky", "fake-flaky"]]);
    const answer = await chat();
    expect(answer.statusCode).toBe(200);
    expect(asked("fake-flaky")).toBe(2);
  });

  it("answers the failure when retries are off and no other route is left", async () => {
    const chat = await app({ max_retries: 0 }, [["flaky", "fake-flaky"]]);
    const answer = await chat();
    expect(answer.statusCode).toBe(502);
    expect(answer.json().error.code).toBe("upstream_error");
    expect(asked("fake-flaky")).toBe(1);
  });

  it("moves on to the next route at once when the Retry-After does not fit the provider's wait", async () => {
    // fake-error-429 asks for 1 s; the provider allows 500 ms of waiting.
    const chat = await app({ max_retries: 3, max_retry_wait_ms: 500 }, [
      ["flaky", "fake-error-429"],
      ["steady", "fake-model"],
    ]);
    const started = performance.now();
    const answer = await chat();
    expect(answer.statusCode).toBe(200);
    expect(performance.now() - started).toBeLessThan(900);
    expect([asked("fake-error-429"), asked("fake-model")]).toEqual([1, 1]);
  });

  it("retries a route up to max_retries times, then moves on", async () => {
    // 503 every time after the backoff: 2 retries at ≈ 250 and ≈ 500 ms, within 2 s.
    const chat = await app({ max_retries: 2, max_retry_wait_ms: 2_000 }, [
      ["flaky", "fake-error-503"],
      ["steady", "fake-model"],
    ]);
    const answer = await chat();
    expect(answer.statusCode).toBe(200);
    expect([asked("fake-error-503"), asked("fake-model")]).toEqual([3, 1]);
  });
});
