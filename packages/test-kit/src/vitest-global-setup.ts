import { DEFAULT_TEST_POSTGRES_URL, DEFAULT_TEST_REDIS_URL, POSTGRES_URL_VARIABLE, postgresAnswers, REDIS_URL_VARIABLE, redisAnswers } from "./services.js";

/**
 * Runs once before the test files: finds out whether PostgreSQL and Redis are
 * reachable (at the URLs in the environment, else the local defaults) and tells
 * the test workers through the environment. Never silent about a skip.
 */
export default async function setup(): Promise<void> {
  const required = process.env.BENTOO_REQUIRE_SERVICES === "1";
  const checks: Array<[string, string, string, (url: string) => Promise<boolean>]> = [
    ["PostgreSQL", POSTGRES_URL_VARIABLE, DEFAULT_TEST_POSTGRES_URL, postgresAnswers],
    ["Redis", REDIS_URL_VARIABLE, DEFAULT_TEST_REDIS_URL, redisAnswers],
  ];
  const missing: string[] = [];
  for (const [name, variable, fallback, answers] of checks) {
    const url = process.env[variable] || fallback;
    if (await answers(url)) {
      process.env[variable] = url;
    } else {
      delete process.env[variable];
      missing.push(`${name} (${variable}=${url})`);
    }
  }
  if (missing.length === 0) return;
  const message = `not reachable: ${missing.join(", ")}`;
  if (required) throw new Error(`BENTOO_REQUIRE_SERVICES=1 but ${message}`);
  process.stderr.write(`\nNOTICE: ${message}; the suites that need them are SKIPPED. Start the services, or set the variables, to run them.\n\n`);
}
