/** @bentoo/cli as a library: run() for tests and embedding, and the typed admin client. */

export type { AccountJson, ApiKeyJson, CreditGrantJson, CreditGrantRequestJson, IssuedKeyJson, ListJson, RolledKeyJson } from "@bentoo/api-types";
export {
  type AccountPatchInput,
  AdminApiError,
  AdminClient,
  type AdminClientOptions,
  AdminConnectionError,
  type CreateAccountInput,
  type CreateKeyInput,
  collectAll,
  type GraceSeconds,
  type KeyMode,
  type PageQuery,
  type Plan,
} from "./admin-client.js";
export { parseGrace, parseMicros, parseUsd } from "./arguments.js";
export type { CliIo } from "./context.js";
export { formatMicros } from "./format.js";
export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, run } from "./run.js";
