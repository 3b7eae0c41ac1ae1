import pino, { type Logger } from "pino";

const KEY_SHAPED = /btoo_sk_(?:live|test)_[0-9A-Za-z]{4,}/g;

/** Replaces anything shaped like a Bentoo key with its prefix and a marker. */
export function redactKeys(text: string): string {
  return text.replace(KEY_SHAPED, "btoo_sk_[redacted]");
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
      redact: { paths: ["req.headers.authorization", "req.headers.cookie", "headers.authorization", "headers.cookie", "*.apiKey", "*.password"], censor: "[redacted]" },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((argument) => (typeof argument === "string" ? redactKeys(argument) : argument)) as Parameters<typeof method>);
        },
      },
      formatters: {
        log(object) {
          const error = object.err;
          if (error instanceof Error) {
            return { ...object, err: { type: error.name, message: redactKeys(error.message), stack: error.stack === undefined ? undefined : redactKeys(error.stack) } };
          }
          return object;
        },
      },
    },
    destination,
  );
}
