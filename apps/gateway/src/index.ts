export { createApp } from "./app.js";
export { createServices, type Services, type ServiceOverrides } from "./services.js";
export { parseConfig, ConfigError, type Config } from "./config.js";
export { createLogger, redactKeys } from "./logger.js";
export { seedDemoAccount } from "./first-run.js";
