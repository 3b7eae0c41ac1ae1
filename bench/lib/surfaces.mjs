// The client APIs other than Chat Completions, each loaded on the targets that
// serve it, in the same rounds as the target's own Chat Completions JSON (its
// passthrough reference), so that a surface's cost reads as a ratio within one run.
import { ROUTES } from "./routes.mjs";
import { requestBody } from "./targets.mjs";

/**
 * Each scenario: a route of routes.mjs (the path it loads on a target's
 * origin, its body), and the targets that serve it (the fake upstream and the bare proxy as the floor of
 * the same exchange, Bentoo in both storage modes).
 */
export const SURFACE_SCENARIOS = [
  {
    id: "embeddings",
    label: ROUTES.embeddings.label,
    path: ROUTES.embeddings.path,
    body: () => ROUTES.embeddings.body("json"),
    targets: ["direct", "bare", "embedded", "postgres"],
  },
];

const pathOn = (url, path) => new URL(path, new URL(url).origin).toString();

/**
 * Loads every scenario on every live target that serves it, in `rounds`
 * rounds alternating with that target's Chat Completions JSON, and records
 * the medians with the ratio of the two (1.0: the surface costs what a
 * passthrough chat request costs).
 */
export async function measureSurfaces(live, delayMs, context, results, log) {
  const { options, generator } = context;
  const seconds = Math.max(1, options.durationSeconds / options.rounds / 2);
  for (const scenario of SURFACE_SCENARIOS) {
    for (const { target, instance } of live) {
      if (instance.failed || !scenario.targets.includes(target.id)) continue;
      const surface = { url: pathOn(instance.url, scenario.path), headers: instance.headers, body: scenario.body(), connections: options.connections };
      const reference = { url: instance.url, headers: instance.headers, body: requestBody("json"), connections: options.connections };
      const rates = { surface: [], reference: [], p50: [], p99: [], failed: 0 };
      try {
        await generator.run({ ...surface, seconds: options.warmupSeconds });
        for (let round = 0; round < options.rounds; round++) {
          const pair = round % 2 === 0 ? ["surface", "reference"] : ["reference", "surface"];
          for (const which of pair) {
            const result = await generator.run({ ...(which === "surface" ? surface : reference), seconds });
            rates[which].push(result.rps);
            if (which === "surface") {
              rates.p50.push(result.p50Ms);
              rates.p99.push(result.p99Ms);
              rates.failed += result.non2xx + result.errors + result.timeouts;
            }
          }
        }
      } catch (error) {
        results.failures.push({ target: target.id, delay_ms: delayMs, message: `${scenario.id}: ${error instanceof Error ? error.message : String(error)}` });
        continue;
      }
      const entry = {
        scenario: scenario.id,
        label: scenario.label,
        target: target.id,
        delay_ms: delayMs,
        rps: median(rates.surface),
        p50_ms: median(rates.p50),
        p99_ms: median(rates.p99),
        failed_requests: rates.failed,
        chat_json_rps: median(rates.reference),
      };
      entry.ratio_to_chat_json = entry.chat_json_rps > 0 ? entry.rps / entry.chat_json_rps : null;
      results.surfaces.push(entry);
      log(
        `  ${scenario.id} on ${target.label}, ${delayMs} ms: ${Math.round(entry.rps)} req/s (chat JSON ${Math.round(entry.chat_json_rps)}; ratio ${entry.ratio_to_chat_json?.toFixed(2) ?? "-"}), p50 ${entry.p50_ms} ms, p99 ${entry.p99_ms} ms${entry.failed_requests > 0 ? `, ${entry.failed_requests} FAILED` : ""}`,
      );
    }
  }
}

function median(values) {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The report's table of surface scenarios. */
export function surfacesTable(surfaces) {
  const rows = surfaces.map(
    (entry) =>
      `| ${entry.scenario} | ${entry.target} | ${entry.delay_ms} | ${Math.round(entry.rps ?? 0)} | ${Math.round(entry.chat_json_rps ?? 0)} | ${entry.ratio_to_chat_json?.toFixed(2) ?? "-"} | ${entry.p50_ms ?? "-"} | ${entry.p99_ms ?? "-"} | ${entry.failed_requests} |`,
  );
  return [
    "Surfaces (each against the same target's Chat Completions JSON, same rounds):",
    "| scenario | target | delay ms | req/s | chat JSON req/s | ratio | p50 ms | p99 ms | failed |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}
