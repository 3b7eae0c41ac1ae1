import { BentooError } from "@bentoo/core";
import { Ajv, type ErrorObject } from "ajv";
import type { FastifyInstance, FastifySchema } from "fastify";
import { dropEmptyQueryValues } from "../http/empty-query.js";

/**
 * Route schemas are the API's contract: Fastify validates each request's body,
 * query string and path parameters with them before the handler runs, and the
 * OpenAPI documents (document.ts) are generated from the very same objects, so
 * the two cannot drift. Handlers still parse what a schema cannot say (ranges
 * that depend on the model, members that must come together) and turn the
 * result into Bentoo's own terms.
 *
 * A schema may carry `x-error-hint`: the sentence a client gets when that value
 * fails, instead of the generic one built from the failed keyword.
 */
export const ERROR_HINT = "x-error-hint";

/**
 * Bodies are JSON: a string stays a string (no coercion), defaults are documentation only.
 * `type` may list several types (`["integer", "null"]`, `["string", "array"]`): one
 * check, where `anyOf` tries each branch in turn and builds an error object for each
 * one that fails. It also keeps the compiled validator small: Ajv compiles a schema
 * into one function, and V8 stops optimising a function past a certain size, which
 * a model route's schema with its nullable members as `anyOf` exceeds (its validator
 * then runs several times slower).
 */
function bodyValidator(): Ajv {
  const ajv = new Ajv({
    coerceTypes: false,
    useDefaults: false,
    removeAdditional: false,
    allErrors: false,
    verbose: true,
    strict: true,
    allowUnionTypes: true,
  });
  ajv.addKeyword(ERROR_HINT);
  return ajv;
}

/** Query strings and path parameters are text: "20" may stand for the integer 20, and "a" for the list ["a"]. */
function textValidator(): Ajv {
  const ajv = new Ajv({ coerceTypes: "array", useDefaults: true, removeAdditional: false, allErrors: false, verbose: true, strict: true });
  ajv.addKeyword(ERROR_HINT);
  return ajv;
}

/** `/messages/0/content` → `messages[0].content`, the way OpenAI's errors name a parameter. */
export function paramOf(instancePath: string, missing?: string): string | null {
  const parts = instancePath.split("/").slice(1);
  if (missing !== undefined) parts.push(missing);
  let param = "";
  for (const raw of parts) {
    const part = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    param += /^\d+$/.test(part) ? `[${part}]` : param === "" ? part : `.${part}`;
  }
  return param === "" ? null : param;
}

function typeName(type: unknown): string {
  const names: Record<string, string> = {
    string: "a string",
    integer: "an integer",
    number: "a number",
    boolean: "true or false",
    object: "a JSON object",
    array: "a list",
    null: "null",
  };
  const types = Array.isArray(type) ? type : [type];
  return types.map((name) => names[String(name)] ?? String(name)).join(" or ");
}

function quoteAll(values: readonly unknown[]): string {
  return values.map((value) => JSON.stringify(value)).join(", ");
}

/** The sentence a client reads for one failed keyword; `subject` names the value ("temperature", "The request body"). */
function sentence(error: ErrorObject, subject: string): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "required":
      return `${subject} is required.`;
    case "type":
      return `${subject} must be ${typeName(params.type)}.`;
    case "enum":
      return `${subject} must be one of ${quoteAll(params.allowedValues as unknown[])}.`;
    case "const":
      return `${subject} must be ${JSON.stringify(params.allowedValue)}.`;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return `${subject} must be ${params.comparison} ${params.limit}.`;
    case "minLength":
      return params.limit === 1 ? `${subject} must not be empty.` : `${subject} must be at least ${params.limit} characters.`;
    case "maxLength":
      return `${subject} must be at most ${params.limit} characters.`;
    case "minItems":
      return `${subject} must hold at least ${params.limit} item${params.limit === 1 ? "" : "s"}.`;
    case "maxItems":
      return `${subject} must hold at most ${params.limit} items; split the request.`;
    case "maxProperties":
      return `${subject} must have at most ${params.limit} members.`;
    case "pattern":
    case "format":
      return `${subject} is not in the expected format.`;
    case "additionalProperties":
      return `Unknown parameter: ${subject}.`;
    case "anyOf":
    case "oneOf":
      return `${subject} does not match any of the shapes it may take; see the API reference at /docs.`;
    default:
      return `${subject} is not valid (${error.message ?? error.keyword}).`;
  }
}

/** The hint a schema gives for its value, if any: the failed keyword's own schema, or the one holding it. */
function hintOf(error: ErrorObject): string | undefined {
  const parent = error.parentSchema as Record<string, unknown> | undefined;
  if (error.keyword === "required") {
    const member = (parent?.properties as Record<string, Record<string, unknown>> | undefined)?.[(error.params as { missingProperty: string }).missingProperty];
    const hint = member?.[ERROR_HINT];
    if (typeof hint === "string") return hint;
  }
  const hint = parent?.[ERROR_HINT];
  return typeof hint === "string" ? hint : undefined;
}

/** What a client reads when a request fails its route's schema: 400 `invalid_request` naming the parameter. */
export function schemaError(errors: readonly ErrorObject[], part: string): BentooError {
  const error = errors[0];
  if (error === undefined) return new BentooError("invalid_request", "The request is not valid; see the API reference at /docs.");
  // A missing or an unknown member is named itself, as the handlers' own parsers name it.
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  const member =
    error.keyword === "required" ? params.missingProperty : error.keyword === "additionalProperties" ? params.additionalProperty?.slice(0, 100) : undefined;
  const param = paramOf(error.instancePath, member);
  const where = part === "body" ? "The request body" : part === "querystring" ? "The query string" : `The ${part}`;
  const subject = param ?? where;
  const hint = hintOf(error);
  const message = hint === undefined ? sentence(error, subject) : `${sentence(error, subject)} ${hint}`;
  const withRoot = param === null && error.keyword === "type" && part === "body" ? `${message} Send Content-Type: application/json.` : message;
  return new BentooError("invalid_request", withRoot, { param });
}

/**
 * Installs the validator compilers and the error formatter, and makes response
 * schemas documentation only: answers are serialised as before (JSON.stringify),
 * never filtered through a schema. Call before registering routes.
 */
export function installSchemaValidation(app: FastifyInstance): void {
  const bodies = bodyValidator();
  const texts = textValidator();
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? bodies : texts).compile(schema as object));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setSchemaErrorFormatter((errors, dataVar) => schemaError(errors as ErrorObject[], dataVar));
  // A query parameter sent empty (`?limit=`) reads as left out, on every route whose query string has a schema.
  app.addHook("onRoute", (route) => {
    if ((route.schema as FastifySchema | undefined)?.querystring === undefined) return;
    const own = route.preValidation === undefined ? [] : Array.isArray(route.preValidation) ? route.preValidation : [route.preValidation];
    route.preValidation = [dropEmptyQueryValues, ...own];
  });
}

/** Route options' `schema`, typed loosely enough for OpenAPI's extra members (summary, tags, security, hide). */
export type RouteSchema = FastifySchema & {
  summary?: string;
  description?: string;
  tags?: string[];
  operationId?: string;
  security?: Record<string, string[]>[];
  hide?: boolean;
};
