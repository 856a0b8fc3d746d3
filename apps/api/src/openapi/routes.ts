import { AUTH_ROUTES } from '../auth/auth.routes';
import { CHECKOUT_ROUTES } from '../checkout/checkout.routes';
import { CLIENT_SESSION_ROUTES } from '../client-sessions/client-sessions.routes';
import { OPS_ROUTES } from '../ops/ops.routes';
import { PAYMENT_ROUTES } from '../payments/payments.routes';
import { REDIRECTION_ROUTES } from '../redirection/redirection.routes';
import { WEBHOOK_ROUTES } from '../webhooks/webhooks.routes';
import type { RouteSpec } from './route-spec';

export type * from './route-spec';

/**
 * THE route table of the API: every endpoint, with what the OpenAPI document says about it (each
 * feature's `*.routes.ts` describes its own, next to its controller).
 * `document.ts` builds the document from it; tests compare it with the routes Nest registered
 * (method + path, `@Scopes`, `@HttpCode`), so an endpoint missing here, or described with the
 * wrong scopes or status, fails the build.
 *
 * Request bodies are the zod schemas the controllers parse with; response bodies name a schema of
 * `response-schemas.ts`. Errors common to a kind of route are added by the document builder:
 * 401/403 on protected routes, 404 on routes with an `{id}`, 400/413/415 on routes with a body,
 * 400/409 for the `Idempotency-Key` of protected POSTs. `errors` below adds the route's own.
 */
export const ROUTES: readonly RouteSpec[] = [
  ...AUTH_ROUTES,
  ...CLIENT_SESSION_ROUTES,
  ...PAYMENT_ROUTES,
  ...WEBHOOK_ROUTES,
  ...REDIRECTION_ROUTES,
  ...CHECKOUT_ROUTES,
  ...OPS_ROUTES,
];

/**
 * Paths where something other than a route is mounted on Express (a sub-application with its own
 * routes), deliberately left out of the document, with the reason. The route coverage test fails
 * on any other mount.
 *
 * Nest controllers left out of the document are marked `@InternalApi(reason)` instead
 * (`openapi/internal-api.ts`): the operator console's (`console/*.controller.ts`).
 */
export const UNDOCUMENTED_MOUNTS: Readonly<Record<string, string>> = {
  '/admin/queues':
    'The BullMQ dashboard (bull-board) for operators: an HTML UI and its internal XHR API behind HTTP ' +
    'Basic (ADMIN_PASSWORD), served only when configured. Not part of the merchant API.',
};
