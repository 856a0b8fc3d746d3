import { cardCapabilities, cardToken } from '../methods';
import type { Partner } from '../partner';
import { ConnectAdapter } from './adapter';

/** Worldline/Ingenico Connect: card authorizations (hold), captures, cancel of the remainder, refunds. */
export const connect: Partner = {
  name: 'connect',
  methods: {
    /** With a token: a direct payment. Without: the card is entered on Connect's hosted checkout. */
    card: {
      kind: 'card',
      capabilities: cardCapabilities,
      instrument: cardToken.partial(),
      reusableCredential: true,
    },
  },
  createAdapter: () => new ConnectAdapter(),
  webhooks: {
    // Connect names the key it signed with; its id is public in the account's credentials.
    keyHeader: { header: 'x-gcs-keyid', credentialsField: 'webhookKeyId' },
    maxUnnamedAccounts: 500,
    // Connect's endpoint verification: a GET whose header value is echoed as text/plain.
    answerEndpointCheck: (headers) => headers['x-gcs-webhooks-endpoint-verification'] || undefined,
  },
};
