/**
 * Reads an environment variable where one exists (Node, Bun, Deno's Node
 * compatibility) and returns `undefined` elsewhere (browsers, edge runtimes).
 * `process` is never referenced directly so the SDK loads where it is not defined.
 * Surrounding whitespace is dropped: a trailing newline from `$(cat key.txt)` is a
 * common mistake, and no valid value starts or ends with whitespace.
 */
export function readEnv(name: string): string | undefined {
  const host = globalThis as { process?: { env?: Record<string, string | undefined> } };
  if (typeof host.process === "undefined") return undefined;
  const value = host.process.env?.[name]?.trim();
  return value === undefined || value === "" ? undefined : value;
}
