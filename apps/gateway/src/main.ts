#!/usr/bin/env node
import { resolve } from "node:path";
import { createApp } from "./app.js";
import { ConfigError, parseConfig } from "./config.js";
import { seedDemoAccount, type DemoSeed } from "./first-run.js";
import { createServices } from "./services.js";

/** The composition root: the only file that reads the environment and starts things. */
function describeStorage(url: string): string {
  return url.startsWith("sqlite:") ? `SQLite file ${resolve(url.slice("sqlite:".length))}` : `PostgreSQL (${url.replace(/\/\/[^@/]*@/, "//…@")})`;
}

function banner(baseUrl: string, storage: string, seed: DemoSeed | null, adminEnabled: boolean): string {
  const lines = ["", `Bentoo is serving on ${baseUrl}`, `Data: ${storage}`, `Admin API: ${adminEnabled ? `${baseUrl}/admin/v1 (BENTOO_ADMIN_TOKEN)` : "off (set BENTOO_ADMIN_TOKEN to enable)"}`];
  if (seed !== null) {
    lines.push(
      "",
      "Created a demo account with a TEST key (sandbox answers, no network, no credits).",
      "It is shown only this once; copy it now:",
      "",
      `  export BENTOO_API_KEY=${seed.testKey}`,
      `  curl ${baseUrl}/v1/chat/completions -H "Authorization: Bearer $BENTOO_API_KEY" \\`,
      `    -H "Content-Type: application/json" -d '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'`,
    );
  }
  return `${lines.join("\n")}\n\n`;
}

async function main(): Promise<void> {
  const config = parseConfig(process.env);
  const services = await createServices(config, (variable) => process.env[variable]);
  const app = await createApp(services);
  const seed = config.seedDemo ? await seedDemoAccount(services) : null;
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  process.stdout.write(banner(`${config.tls === null ? "http" : "https"}://${host}:${port}`, describeStorage(config.databaseUrl), seed, config.adminToken !== null));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1); // a second signal exits at once
    stopping = true;
    services.logger.info({ signal }, "shutting down");
    await app.close();
    await services.close();
    services.logger.flush();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? `Configuration error: ${error.message}` : `Bentoo could not start: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
