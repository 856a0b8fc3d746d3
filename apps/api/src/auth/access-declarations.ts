import type { INestApplication } from '@nestjs/common';
import { controllerRoutes, type ControllerRoute } from '../openapi/route-discovery';

/** Handlers that declare neither `@Scopes(...)` nor `@Public()`, as `GET /path (Controller.handler)`. */
export function undeclaredRoutes(routes: readonly ControllerRoute[]): string[] {
  return routes
    .filter((route) => route.scopes === null && !route.isPublic)
    .map((route) => `${route.method.toUpperCase()} ${route.path} (${route.controller}.${route.handler})`);
}

/**
 * Start-up check of deny-by-default: every route says who may call it, the internal ones
 * (`@InternalApi`, the operator console) included. The guard refuses such a
 * route anyway (403); this makes the mistake fail the deployment rather than every request.
 */
export function assertEveryRouteDeclaresAccess(app: INestApplication): void {
  const undeclared = undeclaredRoutes(controllerRoutes(app, { internal: true }));
  if (undeclared.length > 0) {
    throw new Error(`routes without @Scopes(...) or @Public(): ${undeclared.join(', ')}`);
  }
}
