import pino, { type Logger } from "pino";

const KEY_SHAPED = /btoo_sk_(?:live|test)_[0-9A-Za-z]{4,}/g;

/** Replaces anything shaped like a Bentoo key with its prefix and a marker. */
export function redactKeys(text: string): string {
  return text.replace(KEY_SHAPED, "btoo_sk_[redacted]");
}

/** Fields whose value is a credential whatever its shape (compared lower-cased, at any depth). */
const SECRET_FIELDS = new Set(["authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api_key", "apikey", "password", "x-csrf-token"]);
const MAX_SCRUB_DEPTH = 8;

/**
 * A copy of a log object safe to write: key-shaped strings redacted at any depth
 * (URLs with `?api_key=…`, echoed bodies, lists), credential fields blanked, errors
 * reduced to type, message and stack (Node's parse errors carry the raw bytes
 * received in `rawPacket`), buffers never dumped. Logs are rare (no per-request
 * lines), so the walk costs nothing on the hot path.
 */
function scrub(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactKeys(value);
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Error)
    return { type: value.name, message: redactKeys(value.message), stack: value.stack === undefined ? undefined : redactKeys(value.stack) };
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return "[binary]";
  if (depth >= MAX_SCRUB_DEPTH) return "[nested]";
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  const copy: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(value)) copy[name] = SECRET_FIELDS.has(name.toLowerCase()) ? "[redacted]" : scrub(field, depth + 1);
  return copy;
}

/**
 * Structured JSON logs through pino's asynchronous destination (the request path
 * never waits on a write). Authorization headers, cookies and key-shaped strings
 * never reach the output.
 */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination({ sync: false })): Logger {
  return pino(
    {
      level,
      base: { service: "bentoo" },
      redact: {
        paths: ["req.headers.authorization", "req.headers.cookie", "headers.authorization", "headers.cookie", "*.apiKey", "*.password"],
        censor: "[redacted]",
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((argument) => (typeof argument === "string" ? redactKeys(argument) : argument)) as Parameters<typeof method>);
        },
      },
      formatters: {
        log(object) {
          return scrub(object, 0) as Record<string, unknown>;
        },
      },
    },
    destination,
  );
}
