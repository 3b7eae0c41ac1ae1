import type { FastifyInstance } from "fastify";
import FindMyWay, { type HTTPMethod } from "find-my-way";

const METHODS: readonly HTTPMethod[] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

export interface KnownRoute {
  method: HTTPMethod;
  url: string;
}

const registered = new WeakMap<FastifyInstance, KnownRoute[]>();

/** Every route the app registered (but the dashboard's catch-all), for the check that each API route is documented. */
export function registeredRoutes(app: FastifyInstance): readonly KnownRoute[] {
  return registered.get(app) ?? [];
}

/**
 * Every route the app serves, in a router of the same kind as fastify's
 * (find-my-way), so that a request no route matched can be told apart: a known
 * path with another method (405, with `Allow`) or no such path (404). The
 * dashboard's catch-all `GET /*` is left out: it would make every path known.
 * Install before any route is registered.
 */
export function trackKnownRoutes(app: FastifyInstance): { allowedMethods(path: string): HTTPMethod[] } {
  const router = FindMyWay({ ignoreTrailingSlash: false });
  const routes: KnownRoute[] = [];
  registered.set(app, routes);
  const noop = () => undefined;
  app.addHook("onRoute", (route) => {
    if (route.url === "/*") return;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((method): method is HTTPMethod =>
      METHODS.includes(method as HTTPMethod),
    );
    for (const method of methods) {
      routes.push({ method, url: route.url });
      if (!router.hasRoute(method, route.url)) router.on(method, route.url, noop);
    }
  });
  return {
    allowedMethods: (path) => METHODS.filter((method) => router.find(method, path) !== null),
  };
}
