/**
 * The JSON every endpoint of Bentoo's own returns (not the OpenAI-compatible
 * inference answers, whose shapes are OpenAI's): the gateway types its presenters
 * with these, and the CLI and the dashboard read responses with them.
 */

export type * from "./accounts.js";
export type * from "./audit.js";
export type * from "./common.js";
export type * from "./health.js";
export type * from "./keys.js";
export type * from "./models.js";
export type * from "./usage.js";
export type * from "./webhooks.js";
