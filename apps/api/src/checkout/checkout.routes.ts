import type { RouteSpec } from '../openapi/route-spec';
import { giftCardBalanceBody, sessionPaymentBody } from './checkout.schemas';

const SHOPPER: ReadonlyArray<Record<string, string[]>> = [{ shopperCredential: [] }];
const UNAUTHORIZED = '`invalid_shopper_credential`, `checkout_session_expired`: no valid `widget.data`.';

const VERSION = [
  {
    name: 'v',
    in: 'query' as const,
    required: false,
    description: 'The build’s version: with it the file is cached for a year (immutable).',
    schema: { type: 'string' },
  },
];

/** The shopper's browser, with a session's `widget.data` (see checkout-session.controller.ts). */
export const CHECKOUT_ROUTES: readonly RouteSpec[] = [
  {
    operationId: 'getDropIn',
    method: 'get',
    path: '/checkout/v1/tender.js',
    summary: 'The drop-in script',
    description:
      "Mount it with `Tender.mount('#el', { session: widget.data })`. Without `v`, cached for an hour " +
      '(ETag); its Subresource Integrity value is in `X-Integrity`.',
    tag: 'Checkout',
    scopes: null,
    parameters: VERSION,
    responses: [{ status: 200, description: 'The script.', mediaType: 'text/javascript' }],
  },
  {
    operationId: 'getDropInStyles',
    method: 'get',
    path: '/checkout/v1/tender.css',
    summary: 'The drop-in’s style sheet (the script links it)',
    tag: 'Checkout',
    scopes: null,
    parameters: VERSION,
    responses: [{ status: 200, description: 'The style sheet.', mediaType: 'text/css' }],
  },
  {
    operationId: 'getHostedPaymentPage',
    method: 'get',
    path: '/checkout/v1/pay',
    summary: 'Tender’s hosted payment page',
    description:
      'Where a HOSTED_PAGE session’s `links.checkout.href` leads, with the session’s `widget.data` in the ' +
      'URL fragment. The drop-in with the merchant’s name, under a CSP allowing this origin’s scripts only.',
    tag: 'Checkout',
    scopes: null,
    responses: [{ status: 200, description: 'The HTML page.', mediaType: 'text/html' }],
  },
  {
    operationId: 'getCheckoutSession',
    method: 'get',
    path: '/checkout/v1/session',
    summary: 'Read the checkout session (shopper)',
    description: 'The session’s amount, currency and the solutions the drop-in offers.',
    tag: 'Checkout',
    scopes: null,
    security: SHOPPER,
    responses: [{ status: 200, description: 'The session.', schema: 'CheckoutSession' }],
    errors: { 401: UNAUTHORIZED },
  },
  {
    operationId: 'checkGiftCardBalance',
    method: 'post',
    path: '/checkout/v1/session/giftcard-balance',
    summary: 'Check a gift card’s balance (shopper)',
    description: 'Moves no money. Answers show the last four digits only. Limited per session.',
    tag: 'Checkout',
    scopes: null,
    security: SHOPPER,
    rateLimit: 'giftcard-balance',
    requestBody: { schema: giftCardBalanceBody, name: 'GiftCardBalanceRequest', required: true },
    responses: [{ status: 200, description: 'The balance.', schema: 'GiftCardBalance' }],
    errors: {
      401: UNAUTHORIZED,
      422: '`giftcard_not_active`, `giftcard_unknown`, `giftcard_refused`, `solution_not_eligible`.',
    },
  },
  {
    operationId: 'submitSessionPayment',
    method: 'post',
    path: '/checkout/v1/session/payments',
    summary: 'Pay the session (shopper)',
    description:
      'Creates the session’s payment (its amount, currency, capture mode and return URL) with the ' +
      'shopper’s tenders. A card tender answers `redirect_url`: the partner’s hosted page.',
    tag: 'Checkout',
    scopes: null,
    security: SHOPPER,
    requestBody: { schema: sessionPaymentBody, name: 'SessionPaymentRequest', required: true },
    responses: [{ status: 201, description: 'The payment, submitted.', schema: 'SessionPayment' }],
    errors: {
      401: UNAUTHORIZED,
      409: '`client_session_not_open`, `client_session_expired`.',
      422: '`invalid_split`, `session_mismatch`, `solution_not_eligible`, `card_details_not_accepted`.',
    },
  },
];
