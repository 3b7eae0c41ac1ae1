import { createHash } from "node:crypto";

/**
 * Deterministic text and values for the sandbox: everything derives from a
 * SHA-256 of the request, so the same request always gets the same answer.
 */
const WORDS = [
  "sandbox",
  "answer",
  "bentoo",
  "gateway",
  "token",
  "model",
  "stream",
  "request",
  "deterministic",
  "offline",
  "credits",
  "latency",
  "catalog",
  "provider",
  "response",
  "example",
  "testing",
  "quickly",
  "reliable",
  "simple",
  "every",
  "second",
  "useful",
  "clear",
  "steady",
  "local",
  "result",
  "message",
  "chunk",
  "usage",
];

export class Seeded {
  private state: Buffer;
  private offset = 0;

  constructor(seed: string) {
    this.state = createHash("sha256").update(seed).digest();
  }

  /** A deterministic integer in [0, bound). */
  next(bound: number): number {
    if (this.offset + 4 > this.state.length) {
      this.state = createHash("sha256").update(this.state).digest();
      this.offset = 0;
    }
    const value = this.state.readUInt32BE(this.offset);
    this.offset += 4;
    return value % bound;
  }

  hex(length: number): string {
    return createHash("sha256").update(this.state).update(String(this.offset)).digest("hex").slice(0, length);
  }
}

export function sentence(random: Seeded, words: number): string {
  const out: string[] = [];
  for (let index = 0; index < words; index += 1) out.push(WORDS[random.next(WORDS.length)]!);
  const text = out.join(" ");
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** A value that satisfies a (simple) JSON schema: the types of the top-level properties. */
export function valueForSchema(schema: unknown, random: Seeded, depth = 0): unknown {
  if (typeof schema !== "object" || schema === null || depth > 4) return null;
  const record = schema as Record<string, unknown>;
  if (Array.isArray(record.enum) && record.enum.length > 0) return record.enum[random.next(record.enum.length)];
  switch (record.type) {
    case "string":
      return WORDS[random.next(WORDS.length)];
    case "integer":
      return random.next(100);
    case "number":
      return random.next(10_000) / 100;
    case "boolean":
      return random.next(2) === 1;
    case "array":
      return [valueForSchema(record.items, random, depth + 1)];
    default: {
      // "object", and any other or missing type: an object of the properties the schema names.
      const properties = typeof record.properties === "object" && record.properties !== null ? (record.properties as Record<string, unknown>) : {};
      const object: Record<string, unknown> = {};
      for (const [name, propertySchema] of Object.entries(properties)) object[name] = valueForSchema(propertySchema, random, depth + 1);
      return object;
    }
  }
}
