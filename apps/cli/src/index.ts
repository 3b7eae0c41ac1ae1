/** @bentoo/cli as a library: run() for tests and embedding, and the typed admin client. */
export { run, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./run.js";
export type { CliIo } from "./context.js";
export {
  AdminApiError,
  AdminClient,
  AdminConnectionError,
  collectAll,
  type AccountPatchInput,
  type AdminClientOptions,
  type CreateAccountInput,
  type CreateKeyInput,
  type GraceSeconds,
  type KeyMode,
  type PageQuery,
  type Plan,
} from "./admin-client.js";
export type { AccountJson, ApiKeyJson, CreditGrantJson, IssuedKeyJson, ListJson, RolledKeyJson } from "@bentoo/api-types";
export { parseGrace, parseMicros, parseUsd } from "./arguments.js";
export { formatMicros } from "./format.js";
