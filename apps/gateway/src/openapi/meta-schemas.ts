import { Type } from "@sinclair/typebox";
import { ADMIN_SECURITY, errorResponses, jsonResponse } from "./shared.js";
import type { RouteSchema } from "./validation.js";

/** An OpenAPI document, as the routes that serve one answer it. */
const OpenApiDocument = Type.Object(
  { openapi: Type.String(), info: Type.Object({}, { additionalProperties: true }), paths: Type.Object({}, { additionalProperties: true }) },
  { additionalProperties: true, description: "An OpenAPI 3.1 document." },
);

/** GET /openapi.json: public, and outside /v1, so in neither document. */
export const API_OPENAPI_SCHEMA: RouteSchema = { hide: true };

/** GET /admin/v1/openapi.json: the admin API's own document, listed in it. */
export const ADMIN_OPENAPI_SCHEMA: RouteSchema = {
  summary: "The admin API's OpenAPI document",
  description: "This document: the admin API in OpenAPI 3.1. The customer API's is public, at `/openapi.json`.",
  tags: ["Meta"],
  operationId: "getAdminOpenApiDocument",
  security: ADMIN_SECURITY,
  response: {
    200: jsonResponse(OpenApiDocument, "The document."),
    ...errorResponses([], { common: ["invalid_admin_token", "https_required", "internal_error"] }),
  },
};
