import { BentooError, type KeyScope } from "@bentoo/core";
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, onRequestHookHandler, RouteOptions } from "fastify";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The scope a key needs for this route: every route under /v1 declares one (checked at start). */
    scope?: KeyScope;
  }
}

/** The path prefix of the routes keys call: each must declare its scope. */
const KEY_ROUTES = /^\/v1(\/|$)/;

/** A route keys call, and the scope it needs. */
export interface ScopedRoute {
  method: string;
  url: string;
  scope: KeyScope;
}

const declared = new WeakMap<FastifyInstance, ScopedRoute[]>();

/** Every route under /v1 of an app built with `requireScopes`, with its scope (HEAD routes included). */
export function declaredScopes(app: FastifyInstance): readonly ScopedRoute[] {
  return declared.get(app) ?? [];
}

function insufficientScope(scope: KeyScope, request: FastifyRequest): BentooError {
  const last4 = request.subject?.key.last4;
  const key = last4 === undefined ? "This key" : `This key (key ID ••••${last4})`;
  return new BentooError(
    "insufficient_scope",
    `${key} lacks the "${scope}" scope, which ${request.method} ${request.routeOptions.url ?? "this endpoint"} needs. Use a key that has it, or add it to this key in the dashboard (Settings → API Keys).`,
  );
}

/** The route's own onRequest step, after authentication: the key's scopes, from the cached key (no storage round trip). */
function scopeCheck(scope: KeyScope): onRequestHookHandler {
  return function checkScope(request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const subject = request.subject;
    // A /v1 route outside the authenticated gateway has no key: refused rather than served.
    if (subject === null || !subject.key.scopes.includes(scope)) done(insufficientScope(scope, request));
    else done();
  };
}

function withHook(hooks: RouteOptions["onRequest"], hook: onRequestHookHandler): onRequestHookHandler[] {
  if (hooks === undefined) return [hook];
  return [...(Array.isArray(hooks) ? hooks : [hooks]), hook] as onRequestHookHandler[];
}

/**
 * Scopes, enforced by route: each route under /v1 declares the scope a key
 * needs in its config (`{ config: { scope: "inference" } }`), and gets a step
 * that checks it after the key was authenticated. A /v1 route without one
 * fails the app's start, so a new endpoint cannot be reachable with any key
 * by omission. Install on the root instance before any route is registered.
 */
export function requireScopes(app: FastifyInstance): void {
  const routes: ScopedRoute[] = [];
  declared.set(app, routes);
  app.addHook("onRoute", (route) => {
    if (!KEY_ROUTES.test(route.url)) return;
    const scope = route.config?.scope;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (scope === undefined)
      throw new Error(
        `${methods.join("/")} ${route.url} declares no scope: every route under /v1 sets config.scope to the scope a key needs (docs/keys.md#scopes).`,
      );
    route.onRequest = withHook(route.onRequest, scopeCheck(scope));
    for (const method of methods) routes.push({ method, url: route.url, scope });
  });
}
