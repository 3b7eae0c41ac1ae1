import { createHash } from "node:crypto";
import type { TokenLogprob } from "@bentoo/core";

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

/** Splits text into word-sized pieces, each with its leading space: a stream's deltas, and the tokens logprobs are given for. */
export function textPieces(text: string): string[] {
  const parts = text.split(/(?= )/);
  return parts.length > 0 ? parts : [text];
}

/**
 * Deterministic, plausible log probabilities for `pieces`: each piece likely
 * (probability 0.4 to 0.99), and `top` alternatives sharing what is left,
 * each half as likely as the one before, so that no place's probabilities sum
 * above 1 and the chosen piece comes first.
 */
export function pieceLogprobs(pieces: readonly string[], top: number, random: Seeded): TokenLogprob[] {
  return pieces.map((token) => {
    const chosen = 0.4 + random.next(5_900) / 10_000;
    const alternatives: Array<{ token: string; logprob: number }> = [{ token, logprob: Math.log(chosen) }];
    let share = (1 - chosen) / 2;
    while (alternatives.length < top) {
      const word = WORDS[random.next(WORDS.length)]!;
      const candidate = token.startsWith(" ") ? ` ${word}` : word;
      if (alternatives.some((entry) => entry.token === candidate)) continue;
      alternatives.push({ token: candidate, logprob: Math.log(share) });
      share /= 2;
    }
    return { token, logprob: Math.log(chosen), top: top === 0 ? [] : alternatives };
  });
}

export function sentence(random: Seeded, words: number): string {
  const out: string[] = [];
  for (let index = 0; index < words; index += 1) out.push(WORDS[random.next(WORDS.length)]!);
  const text = out.join(" ");
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** Nesting past which a value takes the shortest way out: null where allowed, no optional members, the fewest items. */
const MAX_DEPTH = 6;

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema => typeof value === "object" && value !== null && !Array.isArray(value);

/** Strings that satisfy the common `format`s (a client library may check them). */
const FORMATTED: Record<string, (random: Seeded) => string> = {
  email: (random) => `${WORDS[random.next(WORDS.length)]}@example.com`,
  "date-time": (random) => `2025-0${1 + random.next(9)}-1${random.next(10)}T12:00:00Z`,
  date: (random) => `2025-0${1 + random.next(9)}-1${random.next(10)}`,
  time: () => "12:00:00Z",
  uuid: (random) => {
    const hex = random.hex(32);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  },
  uri: (random) => `https://example.com/${WORDS[random.next(WORDS.length)]}`,
  url: (random) => `https://example.com/${WORDS[random.next(WORDS.length)]}`,
  hostname: () => "example.com",
  ipv4: () => "192.0.2.1",
  ipv6: () => "2001:db8::1",
};

/**
 * A value that satisfies a JSON schema as Structured Outputs and tool
 * definitions write them (https://json-schema.org/understanding-json-schema):
 * `type` (one, or a list such as `["string", "null"]`), `enum`, `const`,
 * `anyOf` / `oneOf` (one branch) and `allOf` (merged), `$ref` into the schema's
 * own `$defs` / `definitions` (recursive ones too), every property of an
 * object, string `format`s and length bounds, number and item-count bounds.
 * Deterministic: the choices come from `random`.
 */
export function valueForSchema(schema: unknown, random: Seeded): unknown {
  return new SchemaValues(schema, random).value(schema, 0);
}

class SchemaValues {
  constructor(
    private readonly root: unknown,
    private readonly random: Seeded,
  ) {}

  value(schema: unknown, depth: number): unknown {
    if (schema === true || (isSchema(schema) && Object.keys(schema).length === 0)) return this.word();
    if (!isSchema(schema)) return null;
    if (typeof schema.$ref === "string") return depth > MAX_DEPTH * 4 ? null : this.value(this.resolve(schema.$ref), depth + 1);
    if ("const" in schema) return schema.const;
    if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[this.random.next(schema.enum.length)];
    const branches = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : null;
    if (branches !== null && branches.length > 0) return this.value(this.branch(branches, depth), depth);
    if (Array.isArray(schema.allOf) && schema.allOf.length > 0) return this.merged(schema, depth);
    return this.typed(schema, this.type(schema, depth), depth);
  }

  /** `#`, `#/$defs/Name`, `#/definitions/Name` or any JSON pointer into the root schema. */
  private resolve(reference: string): unknown {
    if (!reference.startsWith("#")) return null;
    let target: unknown = this.root;
    for (const segment of reference.slice(1).split("/").filter(Boolean)) {
      const key = decodeURIComponent(segment).replace(/~1/g, "/").replace(/~0/g, "~");
      target = isSchema(target) ? target[key] : undefined;
    }
    return target ?? null;
  }

  /** One branch of a union; deep down, one that ends the nesting (null) when there is one. */
  private branch(branches: unknown[], depth: number): unknown {
    if (depth >= MAX_DEPTH) {
      const nullable = branches.find((branch) => isSchema(branch) && branch.type === "null");
      if (nullable !== undefined) return nullable;
    }
    return branches[this.random.next(branches.length)];
  }

  private merged(schema: Schema, depth: number): unknown {
    const { allOf, ...rest } = schema;
    let merged: unknown = Object.keys(rest).length > 0 ? this.value(rest, depth) : undefined;
    for (const part of allOf as unknown[]) {
      const value = this.value(part, depth);
      merged = isSchema(merged) && isSchema(value) ? { ...merged, ...value } : (merged ?? value);
    }
    return merged;
  }

  /** The schema's type: one of a list (deep down, "null" when listed); else what its members imply. */
  private type(schema: Schema, depth: number): string {
    if (typeof schema.type === "string") return schema.type;
    if (Array.isArray(schema.type) && schema.type.length > 0) {
      if (depth >= MAX_DEPTH && schema.type.includes("null")) return "null";
      return String(schema.type[this.random.next(schema.type.length)]);
    }
    if (isSchema(schema.properties)) return "object";
    if (schema.items !== undefined || schema.prefixItems !== undefined) return "array";
    return "string";
  }

  private typed(schema: Schema, type: string, depth: number): unknown {
    switch (type) {
      case "null":
        return null;
      case "boolean":
        return this.random.next(2) === 1;
      case "integer":
      case "number":
        return this.number(schema, type === "integer");
      case "string":
        return this.string(schema);
      case "array":
        return this.array(schema, depth);
      default:
        return this.object(schema, depth);
    }
  }

  private number(schema: Schema, integer: boolean): number {
    const bound = (name: string) => (typeof schema[name] === "number" ? (schema[name] as number) : null);
    const exclusiveMin = bound("exclusiveMinimum");
    const exclusiveMax = bound("exclusiveMaximum");
    let low = bound("minimum") ?? (exclusiveMin === null ? 0 : exclusiveMin + (integer ? 1 : 0.01));
    let high = bound("maximum") ?? (exclusiveMax === null ? low + 100 : exclusiveMax - (integer ? 1 : 0.01));
    if (integer) {
      low = Math.ceil(low);
      high = Math.floor(high);
    }
    if (high <= low) return low;
    return integer ? low + this.random.next(high - low + 1) : Math.round((low + (this.random.next(10_000) / 10_000) * (high - low)) * 100) / 100;
  }

  private string(schema: Schema): string {
    const format = typeof schema.format === "string" ? FORMATTED[schema.format] : undefined;
    let text = format === undefined ? this.word() : format(this.random);
    const min = typeof schema.minLength === "number" ? schema.minLength : 0;
    const max = typeof schema.maxLength === "number" ? schema.maxLength : Number.POSITIVE_INFINITY;
    while (text.length < min) text += ` ${this.word()}`;
    return text.length > max ? text.slice(0, max) : text;
  }

  private array(schema: Schema, depth: number): unknown[] {
    const min = typeof schema.minItems === "number" ? schema.minItems : 0;
    const max = typeof schema.maxItems === "number" ? schema.maxItems : Number.POSITIVE_INFINITY;
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
    const count = Math.min(max, Math.max(min, prefix.length, depth >= MAX_DEPTH ? 0 : 1 + this.random.next(2)));
    return Array.from({ length: count }, (_, index) => this.value(index < prefix.length ? prefix[index] : schema.items, depth + 1));
  }

  private object(schema: Schema, depth: number): Record<string, unknown> {
    const properties = isSchema(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? schema.required : []);
    const object: Record<string, unknown> = {};
    for (const [name, property] of Object.entries(properties)) {
      if (depth >= MAX_DEPTH && !required.has(name)) continue;
      object[name] = this.value(property, depth + 1);
    }
    return object;
  }

  private word(): string {
    return WORDS[this.random.next(WORDS.length)]!;
  }
}
