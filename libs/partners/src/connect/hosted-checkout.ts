import type {
  CreateHostedCheckoutRequest,
  CreateHostedCheckoutResponse,
  GetHostedCheckoutResponse,
} from 'connect-sdk-nodejs/lib/v1/model/domain';
import {
  PartnerProtocolError,
  PartnerRejectedError,
  type AuthorizeRequest,
  type AuthorizeResult,
} from '../adapter';
import type { ConnectClient } from './client';
import { authorizationResult, expectBody, rejected, throwCommonErrors } from './mapping';
import { toConnectIdempotenceKey, toConnectReference } from './references';

/**
 * Card tenders without a token (the shopper's checkout): the card is entered on Connect's hosted
 * checkout (`POST /v1/{merchantId}/hostedcheckouts`), never on Tender's pages.
 *
 * - authorize: creates the checkout for the tender's amount, our reference as the payment's
 *   merchantReference, `returnUrl` = Tender's return, `returnCancelState: true` (a cancel is final,
 *   not IN_PROGRESS), `requiresApproval: true` + PRE_AUTHORIZATION (held, as card tenders are) →
 *   REQUIRES_ACTION to `https://payment.` + partialRedirectUrl (account config
 *   `hostedCheckoutUrlPrefix` overrides the prefix: `http://` for the simulator). The tender's
 *   partner reference is `hostedcheckout:<id>` until a payment exists.
 * - fetchAuthorization by that reference: `GET hostedcheckouts/{id}`: IN_PROGRESS → REQUIRES_ACTION;
 *   PAYMENT_CREATED → the created payment, as any payment (its id becomes the partner reference,
 *   so captures, voids and refunds address it); CANCELLED_BY_CONSUMER and
 *   CLIENT_NOT_ELIGIBLE_FOR_SELECTED_PAYMENT_PRODUCT → REFUSED (nothing was charged); 404 → NOT_FOUND.
 * - The shopper's return carries RETURNMAC: Tender does not rely on it (nor store it). The return
 *   only prompts a server-to-server lookup, which is what decides.
 */
export const HOSTED_REFERENCE_PREFIX = 'hostedcheckout:';
const DEFAULT_URL_PREFIX = 'https://payment.';

export function isHostedCard(request: AuthorizeRequest): boolean {
  const merchantInitiated =
    typeof request.parentPartnerToken === 'string' && request.parentPartnerToken !== '';
  return !merchantInitiated && (request.instrument.token === undefined || request.instrument.token === '');
}

export async function createHostedCheckout(
  client: ConnectClient,
  request: AuthorizeRequest,
): Promise<AuthorizeResult> {
  if (!request.returnUrl) {
    throw new PartnerRejectedError(
      'connect hosted checkout: no return URL (PUBLIC_URL is not set)',
      'no_return_url',
    );
  }
  const body: CreateHostedCheckoutRequest = {
    order: {
      amountOfMoney: { amount: request.amount, currencyCode: request.currency },
      references: { merchantReference: toConnectReference(request.reference) },
    },
    hostedCheckoutSpecificInput: {
      returnUrl: request.returnUrl,
      returnCancelState: true,
      showResultPage: false,
    },
    cardPaymentMethodSpecificInput: { requiresApproval: true, authorizationMode: 'PRE_AUTHORIZATION' },
  };
  const answer = await client.call<CreateHostedCheckoutResponse>('POST', '/hostedcheckouts', {
    body,
    idempotenceKey: toConnectIdempotenceKey(request.idempotencyKey, 'hc'),
  });
  if (answer.status >= 300) {
    throwCommonErrors(answer, 'create hosted checkout');
    throw rejected(answer, 'create hosted checkout');
  }
  const created = expectBody(answer, 'create hosted checkout');
  if (!created.hostedCheckoutId || !created.partialRedirectUrl) {
    throw new PartnerProtocolError(
      'connect create hosted checkout: no hostedCheckoutId or partialRedirectUrl',
    );
  }
  const configured = request.account.config.hostedCheckoutUrlPrefix;
  const prefix = typeof configured === 'string' && configured ? configured : DEFAULT_URL_PREFIX;
  return {
    outcome: 'REQUIRES_ACTION',
    redirectUrl: `${prefix}${created.partialRedirectUrl}`,
    partnerReference: `${HOSTED_REFERENCE_PREFIX}${created.hostedCheckoutId}`,
    partnerStatus: 'IN_PROGRESS',
    additionalData: { hostedCheckoutId: created.hostedCheckoutId },
  };
}

export async function fetchHostedCheckout(
  client: ConnectClient,
  request: AuthorizeRequest,
  partnerReference: string,
): Promise<AuthorizeResult> {
  const id = partnerReference.slice(HOSTED_REFERENCE_PREFIX.length);
  const answer = await client.call<GetHostedCheckoutResponse>(
    'GET',
    `/hostedcheckouts/${encodeURIComponent(id)}`,
  );
  if (answer.status === 404) return { outcome: 'NOT_FOUND' };
  if (answer.status >= 300) {
    throwCommonErrors(answer, 'get hosted checkout');
    throw rejected(answer, 'get hosted checkout');
  }
  const checkout = expectBody(answer, 'get hosted checkout');
  switch (checkout.status) {
    case 'IN_PROGRESS':
      return { outcome: 'REQUIRES_ACTION', partnerStatus: 'IN_PROGRESS' };
    case 'PAYMENT_CREATED':
      return authorizationResult(checkout.createdPaymentOutput?.payment, {
        amount: request.amount,
        currency: request.currency,
        reference: toConnectReference(request.reference),
      });
    case 'CANCELLED_BY_CONSUMER':
    case 'CLIENT_NOT_ELIGIBLE_FOR_SELECTED_PAYMENT_PRODUCT':
      return {
        outcome: 'REFUSED',
        partnerStatus: checkout.status,
        partnerStatusDescription: 'the shopper did not pay on the hosted checkout',
      };
    default:
      throw new PartnerProtocolError(
        `connect hosted checkout ${id}: unknown status ${String(checkout.status)}`,
      );
  }
}
