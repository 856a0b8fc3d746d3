import { SetMetadata } from '@nestjs/common';

export const INTERNAL_API_METADATA = 'tender:openapi:internal';

/**
 * Marks a controller as NOT part of the merchant API: its routes are served by Nest like any other
 * (guards, filters, access declarations) but left out of the route table and the OpenAPI document,
 * for the reason given. Route discovery (route-discovery.ts) reads it; grep `@InternalApi(` for the
 * list. Its routes still declare their access (`@Public()`/`@Scopes`), and the start-up check holds.
 */
export const InternalApi = (reason: string) => SetMetadata(INTERNAL_API_METADATA, reason);

/** The reason a controller class is internal, or undefined for a merchant API controller. */
export function internalApiReason(controller: object): string | undefined {
  return Reflect.getMetadata(INTERNAL_API_METADATA, controller) as string | undefined;
}
