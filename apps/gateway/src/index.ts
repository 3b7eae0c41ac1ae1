export { createApp } from "./app.js";
export { type Config, ConfigError, parseConfig } from "./config.js";
export { seedDemoAccount } from "./first-run.js";
export { createLogger, redactKeys } from "./logger.js";
export { createServices, type ServiceOverrides, type Services } from "./services.js";
