import { toMinor, type ClientSessionRecord } from '@tender/persistence';
import { iso, link, type Link } from '@tender/payments';

export interface EligibleSolution {
  partner: string;
  method: string;
}

export const ABORTABLE_SESSION_STATUSES: readonly string[] = ['CREATED', 'SUBMITTED'];

export interface CheckoutUrls {
  /** The drop-in script (`widget.js_url`). */
  widgetJsUrl: string;
  /** Tender's hosted payment page; the session's credential follows in the fragment. */
  hostedPageUrl: string;
}

/** Tender's own drop-in and hosted page on PUBLIC_URL (WIDGET_JS_URL overrides the script, e.g. a CDN). */
export function checkoutUrls(config: { PUBLIC_URL?: string; WIDGET_JS_URL?: string }): CheckoutUrls {
  const base = config.PUBLIC_URL?.replace(/\/+$/, '') ?? '';
  return {
    widgetJsUrl: config.WIDGET_JS_URL ?? `${base}/checkout/v1/tender.js`,
    hostedPageUrl: `${base}/checkout/v1/pay`,
  };
}

/**
 * The client session as the Purse v2 API shows it; `links` follow the state. A HOSTED_PAGE session
 * open for a payment links Tender's page (`links.checkout`), its credential in the URL fragment so
 * that it never reaches a server log or a Referer.
 */
export function presentClientSession(
  session: ClientSessionRecord,
  urls: CheckoutUrls,
): Record<string, unknown> {
  const links: Record<string, Link> = { self: link(`/v2/client-sessions/${session.id}`) };
  if (ABORTABLE_SESSION_STATUSES.includes(session.status)) {
    links.abort = link(`/v2/client-sessions/${session.id}/abort`, 'POST');
  }
  if (session.integrationMode === 'HOSTED_PAGE' && session.status === 'CREATED') {
    links.checkout = link(`${urls.hostedPageUrl}#${session.widgetData}`);
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
    widget: { data: session.widgetData, js_url: urls.widgetJsUrl },
    eligible_solutions: session.eligibleSolutions,
    links,
  };
}
