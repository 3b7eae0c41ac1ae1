import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";

/**
 * A validator for a named schema of a served OpenAPI document
 * (`#/components/schemas/<name>`), so that a test can hold a real answer to
 * what the document says about it: an answer that drifts from its
 * documentation fails. The document is JSON Schema 2020-12 (OpenAPI 3.1);
 * its other members (paths, info, …) are not schema keywords, hence `strict: false`.
 */
export function documentedSchema(document: Record<string, unknown>, name: string): ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema(document, "openapi.json");
  const validate = ajv.getSchema(`openapi.json#/components/schemas/${name}`);
  if (validate === undefined) throw new Error(`the document has no schema named ${name}`);
  return validate;
}

/** The validator's errors as one line each, for an assertion's message. */
export function schemaErrors(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((error) => `${error.instancePath || "(root)"} ${error.message ?? error.keyword}`);
}
