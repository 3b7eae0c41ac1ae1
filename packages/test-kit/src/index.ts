export * from "./databases.js";
export * from "./fake-anthropic.js";
export * from "./fake-gemini.js";
export * from "./fake-upstream.js";
export * from "./services.js";
export * from "./test-certificates.js";
export * from "./test-clock.js";
export { recountUsage } from "./usage-recount.js";
export * from "./webhook-receiver.js";
