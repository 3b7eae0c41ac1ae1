import { describe } from "vitest";
import { concurrencyCases } from "./contract/concurrency-cases.js";
import { contractContext } from "./contract/context.js";
import { creditCases } from "./contract/credit-cases.js";
import { keyCases } from "./contract/key-cases.js";
import { rateLimitCases } from "./contract/rate-limit-cases.js";
import { memoryBackend, redisBackend } from "./helpers.js";

/** One contract, both implementations. The Redis run is skipped (with the global setup's notice) when Redis is not reachable. */
describe.each([memoryBackend, redisBackend])("admission contract on $name", (backend) => {
  describe.skipIf(!backend.available)(backend.available ? "contract" : "skipped: BENTOO_TEST_REDIS_URL is not set", () => {
    const context = contractContext(backend);
    describe("rate limits", () => rateLimitCases(context));
    describe("credits", () => creditCases(context));
    describe("concurrency", () => concurrencyCases(context));
    describe("key limits and spend caps", () => keyCases(context));
  });
});
