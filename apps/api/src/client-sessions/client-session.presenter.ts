import type { ClientSession } from '@tender/persistence/generated/prisma/client';
import { toMinor } from '@tender/persistence';
import { iso, link, type Link } from '@tender/payments';

export interface EligibleSolution {
  partner: string;
  method: string;
}

export const ABORTABLE_SESSION_STATUSES = ['CREATED', 'SUBMITTED'];

/** The client session as the Purse v2 API shows it; `links` follow the state. */
export function presentClientSession(session: ClientSession, widgetJsUrl: string): Record<string, unknown> {
  const links: Record<string, Link> = { self: link(`/v2/client-sessions/${session.id}`) };
  if (ABORTABLE_SESSION_STATUSES.includes(session.status)) {
    links.abort = link(`/v2/client-sessions/${session.id}/abort`, 'POST');
  }
  if (session.paymentId) links.payment = link(`/v2/payments/${session.paymentId}`);
  return {
    id: session.id,
    version: session.version,
    status: session.status,
    amount: toMinor(session.amount),
    currency: session.currency,
    entity_id: session.entityId,
    capture_mode: session.captureMode,
    integration_mode: session.integrationMode,
    allow_future_usage: session.allowFutureUsage,
    ...(session.order ? { order: session.order } : {}),
    created_at: iso(session.createdAt),
    expires_at: iso(session.expiresAt),
    ...(session.shopperRedirectionUrl ? { shopper_redirection_url: session.shopperRedirectionUrl } : {}),
    ...(session.paymentId ? { payment_id: session.paymentId } : {}),
    widget: { data: session.widgetData, js_url: widgetJsUrl },
    eligible_solutions: session.eligibleSolutions,
    links,
  };
}
