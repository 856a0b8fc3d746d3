import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { toMinor } from '@tender/persistence';
import { MAX_TOKEN_TTL_SECONDS, SigningKeys } from '../jwks/signing-keys';
import { signJws } from '../jwks/jws';

/**
 * The `purse-redirection-data` token: a compact JWS (RS256, `kid` in the header) telling the
 * merchant's page where the shopper lands how the payment went. Anyone holding it can read it (it
 * is signed, not encrypted) and it only says what the merchant may know; merchants verify it with
 * `/.well-known/jwks.json` and should confirm with `GET /v2/payments/{id}` before shipping goods.
 * Its audience (`aud`) is the payment's entity: a merchant's return page checks it is its own entity
 * id, so a token issued for another merchant's payment is refused there.
 */

export const REDIRECTION_PARAMETER = 'purse-redirection-data';
export const REDIRECTION_TOKEN_ISSUER = 'tender';
/** 10 minutes: the signing keys' publication rules rely on no token living longer. */
export const REDIRECTION_TOKEN_TTL_SECONDS = MAX_TOKEN_TTL_SECONDS;

export interface RedirectionClaims {
  iss: string;
  sub: string;
  /** The entity id: the merchant the token is meant for. */
  aud: string;
  payment_id: string;
  client_session_id?: string;
  entity_id: string;
  status: string;
  amount: number;
  currency: string;
  iat: number;
  exp: number;
  jti: string;
}

/** What the token says about a payment (a Payment row has all of it). */
export interface RedirectedPayment {
  id: string;
  entityId: string;
  clientSessionId: string | null;
  status: string;
  amount: bigint | number;
  currency: string;
}

export function redirectionClaims(payment: RedirectedPayment, now = Date.now()): RedirectionClaims {
  const iat = Math.floor(now / 1000);
  return {
    iss: REDIRECTION_TOKEN_ISSUER,
    sub: payment.id,
    aud: payment.entityId,
    payment_id: payment.id,
    ...(payment.clientSessionId ? { client_session_id: payment.clientSessionId } : {}),
    entity_id: payment.entityId,
    status: payment.status,
    amount: toMinor(payment.amount),
    currency: payment.currency,
    iat,
    exp: iat + REDIRECTION_TOKEN_TTL_SECONDS,
    jti: randomUUID(),
  };
}

/**
 * `url` with `purse-redirection-data=<token>` in its query. The rest of the URL is kept byte for
 * byte (existing parameters, their encoding, the fragment); a `purse-redirection-data` already
 * there is replaced, so a token cannot be smuggled in by the URL itself.
 */
export function redirectionUrl(url: string, token: string): string {
  const hashAt = url.indexOf('#');
  const fragment = hashAt >= 0 ? url.slice(hashAt) : '';
  const beforeFragment = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const queryAt = beforeFragment.indexOf('?');
  const base = queryAt >= 0 ? beforeFragment.slice(0, queryAt) : beforeFragment;
  const query = queryAt >= 0 ? beforeFragment.slice(queryAt + 1) : '';
  const kept = query.split('&').filter((pair) => pair !== '' && !isRedirectionParameter(pair));
  kept.push(`${REDIRECTION_PARAMETER}=${encodeURIComponent(token)}`);
  return `${base}?${kept.join('&')}${fragment}`;
}

function isRedirectionParameter(pair: string): boolean {
  const name = pair.split('=', 1)[0].replace(/\+/g, ' ');
  try {
    return decodeURIComponent(name) === REDIRECTION_PARAMETER;
  } catch {
    return false;
  }
}

@Injectable()
export class RedirectionTokens {
  constructor(private readonly keys: SigningKeys) {}

  async issue(payment: RedirectedPayment, now = Date.now()): Promise<string> {
    const claims = redirectionClaims(payment, now);
    return signJws({ ...claims }, await this.keys.signingKey());
  }
}
