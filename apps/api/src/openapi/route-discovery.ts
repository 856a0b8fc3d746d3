import { RequestMethod, type INestApplication } from '@nestjs/common';
import {
  HTTP_CODE_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { PUBLIC_METADATA, SCOPES_METADATA } from '../auth/decorators';
import { RATE_LIMIT_KIND, type RateLimitKind } from '../rate-limits/rate-limit.decorator';
import { internalApiReason } from './internal-api';

/**
 * What the running application really serves, to compare with the route table (routes.ts):
 *
 * - {@link servedRoutes}: the routes in the Express router (what answers requests, whatever
 *   declared them: Nest controllers, or something mounted on Express directly);
 * - {@link controllerRoutes}: every controller handler Nest knows, with its `@Scopes` and
 *   `@HttpCode`, read from the decorators' metadata.
 *
 * Both leave out the routes of controllers marked `@InternalApi(reason)` (the operator console):
 * they are not the merchant API's. `controllerRoutes(app, { internal: true })` includes them, for
 * the start-up check that every route declares its access.
 */

export interface ServedRoute {
  method: string;
  /** OpenAPI template: `/v2/payments/{id}`. */
  path: string;
}

export interface ControllerRoute extends ServedRoute {
  controller: string;
  handler: string;
  scopes: string[] | null;
  /** Marked `@Public()` (on the handler or its controller). */
  isPublic: boolean;
  /** Its `@RateLimit`, if any. */
  rateLimit: RateLimitKind | undefined;
  /** `@HttpCode`, or Nest's default (201 for POST, 200 otherwise); undefined when the handler writes the response itself (`@Res`). */
  status: number | undefined;
  /** The `@InternalApi(reason)` of its controller: not part of the merchant API. */
  internal: string | undefined;
}

const key = (route: ServedRoute) => `${route.method.toUpperCase()} ${route.path}`;

/** `/v2/payments/:id` → `/v2/payments/{id}`; no trailing slash. */
export function toTemplate(path: string): string {
  const normalized = ('/' + path).replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  return normalized.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

interface ExpressLayer {
  route?: { path: unknown; methods: Record<string, boolean> };
  rawPath?: unknown;
}

function routerStack(app: INestApplication): ExpressLayer[] {
  const express = app.getHttpAdapter().getInstance() as { router?: { stack?: ExpressLayer[] } };
  const stack = express.router?.stack;
  if (!Array.isArray(stack)) throw new Error('cannot read the Express router stack (express 5 expected)');
  return stack;
}

/**
 * Paths where middleware or a sub-application is mounted (`app.use('/admin/queues', …)`): they may
 * answer requests that no route of {@link servedRoutes} shows. Global middleware (`/`) is left out.
 */
export function servedMounts(app: INestApplication): string[] {
  const mounts = new Set<string>();
  for (const layer of routerStack(app)) {
    if (layer.route) continue;
    for (const path of [layer.rawPath].flat()) {
      if (typeof path !== 'string')
        throw new Error(`middleware mounted on a non-string path: ${String(path)}`);
      if (path !== '/') mounts.add(toTemplate(path));
    }
  }
  return [...mounts].sort();
}

/**
 * Routes of the Express 5 router (`app.router.stack`), but those of `@InternalApi` controllers.
 * Throws when the router cannot be read.
 */
export function servedRoutes(app: INestApplication): ServedRoute[] {
  const internal = new Set(
    controllerRoutes(app, { internal: true })
      .filter((route) => route.internal !== undefined)
      .map(key),
  );
  return allServedRoutes(app).filter((route) => !internal.has(key(route)));
}

function allServedRoutes(app: INestApplication): ServedRoute[] {
  const routes: ServedRoute[] = [];
  for (const layer of routerStack(app)) {
    if (!layer.route) continue;
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    for (const path of paths) {
      if (typeof path !== 'string') throw new Error(`route with a non-string path: ${String(path)}`);
      for (const [method, enabled] of Object.entries(layer.route.methods)) {
        if (enabled)
          routes.push({ method: method === '_all' ? 'all' : method.toLowerCase(), path: toTemplate(path) });
      }
    }
  }
  return routes;
}

/** Keys of ROUTE_ARGS_METADATA are `<paramtype>:<index>`. */
const RESPONSE_PARAM = `${RouteParamtypes.RESPONSE}:`;

/**
 * Every handler of every controller Nest registered, from the decorators' metadata; those of
 * `@InternalApi` controllers only with `{ internal: true }`.
 */
export function controllerRoutes(
  app: INestApplication,
  options: { internal?: boolean } = {},
): ControllerRoute[] {
  const routes: ControllerRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const internal = internalApiReason(controller);
      if (internal !== undefined && !options.internal) continue;
      const base = [Reflect.getMetadata(PATH_METADATA, controller) ?? '/'].flat() as string[];
      const classScopes = Reflect.getMetadata(SCOPES_METADATA, controller) as string[] | undefined;
      const classPublic = Reflect.getMetadata(PUBLIC_METADATA, controller) === true;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const paths = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (requestMethod === undefined || paths === undefined) continue;
        const method = RequestMethod[requestMethod].toLowerCase();
        const scopes =
          (Reflect.getMetadata(SCOPES_METADATA, handler) as string[] | undefined) ?? classScopes ?? null;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<
          string,
          unknown
        >;
        const writesResponse = Object.keys(args).some((key) => key.startsWith(RESPONSE_PARAM));
        const status = writesResponse
          ? undefined
          : ((Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
            (method === 'post' ? 201 : 200));
        for (const prefix of base) {
          for (const path of [paths].flat()) {
            routes.push({
              method,
              path: toTemplate(`${prefix}/${path}`),
              controller: controller.name,
              handler: name,
              scopes: scopes ? [...scopes] : null,
              isPublic: Reflect.getMetadata(PUBLIC_METADATA, handler) === true || classPublic,
              rateLimit: Reflect.getMetadata(RATE_LIMIT_KIND, handler) as RateLimitKind | undefined,
              status,
              internal,
            });
          }
        }
      }
    }
  }
  return routes;
}

/** Served routes the table lacks (`undocumented`) and table routes nothing serves (`unserved`). */
export function routeCoverage(
  served: readonly ServedRoute[],
  table: readonly ServedRoute[],
): { undocumented: string[]; unserved: string[] } {
  const documented = new Set(table.map(key));
  const live = new Set(served.map(key));
  return {
    undocumented: [...live].filter((route) => !documented.has(route)).sort(),
    unserved: [...documented].filter((route) => !live.has(route)).sort(),
  };
}
