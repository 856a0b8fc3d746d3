import { cardCapabilities, cardToken } from '../methods';
import type { Partner } from '../partner';
import { PurseAdapter } from './adapter';

/** Purse v2 as a downstream orchestrator: amount-based captures, voids and refunds. */
export const purse: Partner = {
  name: 'purse',
  methods: {
    card: {
      kind: 'card',
      capabilities: { ...cardCapabilities, partialVoid: true },
      instrument: cardToken,
      reusableCredential: true,
    },
  },
  createAdapter: () => new PurseAdapter(),
  webhooks: {
    secretField: 'webhookSecret',
    // Purse signs with the account's secret and names nothing: a URL naming no entity must not make
    // an anonymous request try every merchant's secret (merchants configure /v2/webhooks/purse/<entity id>).
    maxUnnamedAccounts: 10,
  },
};
