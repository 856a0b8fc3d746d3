/**
 * Purse test instruments. The seed's create-payment request carries no credential at all (the
 * shopper gives it to Purse's front component), so the simulator reads the instrument of split
 * entry i from `order.additional_data.payment_method_tokens[i]`: `additional_data` is v2's free map,
 * so this adds no field v2 does not define. A missing token is an unknown one.
 */
export type AuthorizationOutcome = 'AUTHORIZED' | 'REFUSED';

export interface PurseInstrument {
  token: string;
  authorization: AuthorizationOutcome;
  /** Raw partner code and text, as the seed shows them in `partner_status` / `partner_status_description`. */
  partnerStatus: string;
  partnerStatusDescription: string;
  /** Captures touching this tender fail (operation status FAILED, nothing captured). */
  captureFails?: boolean;
  outcome: string;
}

export const PURSE_INSTRUMENTS: readonly PurseInstrument[] = [
  {
    token: 'purse-approve',
    authorization: 'AUTHORIZED',
    partnerStatus: '0000',
    partnerStatusDescription: 'Successful operation',
    outcome: 'authorization AUTHORIZED; captures, voids and refunds succeed',
  },
  {
    token: 'purse-decline',
    authorization: 'REFUSED',
    partnerStatus: '05',
    partnerStatusDescription: 'Refused by issuer',
    outcome: '201 with authorization.status REFUSED (partner_status "05"); nothing held',
  },
  {
    token: 'purse-capture-fail',
    authorization: 'AUTHORIZED',
    partnerStatus: '0000',
    partnerStatusDescription: 'Successful operation',
    captureFails: true,
    outcome: 'authorization AUTHORIZED, but a capture touching it is answered with status FAILED',
  },
];

/** Any token not listed above (or none) is refused like this. */
export const UNKNOWN_PURSE_INSTRUMENT: PurseInstrument = {
  token: '*',
  authorization: 'REFUSED',
  partnerStatus: '14',
  partnerStatusDescription: 'Unknown payment method token',
  outcome: 'any other token, or none: 201 with authorization.status REFUSED (partner_status "14")',
};

export function purseInstrument(token: string): PurseInstrument {
  return PURSE_INSTRUMENTS.find((instrument) => instrument.token === token) ?? UNKNOWN_PURSE_INSTRUMENT;
}

export const PURSE_TEST_INSTRUMENTS: ReadonlyArray<{
  partner: 'purse';
  instrument: string;
  outcome: string;
}> = [...PURSE_INSTRUMENTS, UNKNOWN_PURSE_INSTRUMENT].map((instrument) => ({
  partner: 'purse' as const,
  instrument: instrument.token === '*' ? '(any other token)' : instrument.token,
  outcome: instrument.outcome,
}));
