/** The shopper endpoints of Tender (`/checkout/v1/session…`), called with the session's credential. */

export interface Solution {
  partner: string;
  method: string;
  kind: 'giftcard' | 'hosted_card';
  pin: 'none' | 'optional' | 'required';
}

export interface CheckoutSession {
  id: string;
  status: string;
  merchant_name: string;
  amount: number;
  currency: string;
  integration_mode: 'EMBEDDED' | 'HOSTED_PAGE';
  solutions: Solution[];
  payment?: { id: string; status: string };
}

export interface GiftCardBalance {
  partner: string;
  method: string;
  last_four_digits: string;
  balance: number;
  currency: string;
}

export interface SubmittedPayment {
  payment_id: string;
  status: string;
  redirect_url?: string;
  return_url?: string;
}

export interface Tender {
  partner: string;
  method: string;
  amount: number;
  payment_method?: Record<string, string>;
}

/** A refusal, with the code Tender answered (problem+json `code`) or `network`. */
export class CheckoutError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
  ) {
    super(code);
  }
}

export class CheckoutApi {
  constructor(
    private readonly baseUrl: string,
    private readonly credential: string,
  ) {}

  session(): Promise<CheckoutSession> {
    return this.call('GET', '');
  }

  balance(partner: string, method: string, cardNumber: string, pin?: string): Promise<GiftCardBalance> {
    return this.call('POST', '/giftcard-balance', {
      partner,
      method,
      card_number: cardNumber,
      ...(pin ? { pin } : {}),
    });
  }

  pay(split: Tender[]): Promise<SubmittedPayment> {
    return this.call('POST', '/payments', { split });
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/checkout/v1/session${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.credential}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch {
      throw new CheckoutError('network', 0);
    }
    const json = (await response.json().catch(() => ({}))) as { code?: string };
    if (!response.ok) throw new CheckoutError(json.code ?? 'unexpected', response.status);
    return json as T;
  }
}
