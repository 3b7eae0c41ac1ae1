import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";

/**
 * A `preValidation` hook that installSchemaValidation gives every route whose
 * query string has a schema: a parameter sent empty (`?model=&limit=`, as forms
 * and hand-built URLs send them) is the same as one left out, so it takes its
 * default instead of failing its type.
 */
export function dropEmptyQueryValues(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  const query = request.query as Record<string, unknown>;
  for (const name of Object.keys(query)) if (query[name] === "") delete query[name];
  done();
}
