import type { PartnerAdapter } from './adapter';
import type { MethodDefinition } from './catalog';

/**
 * How a partner's inbound webhooks find the accounts that may have sent them, before any signature
 * is checked (each check costs an HMAC over the body).
 */
export interface PartnerWebhooks {
  /**
   * A request header naming the sender's key, and the (public) credentials field holding it: only
   * the accounts whose field equals the header are tried (Connect: `X-GCS-KeyId` = `webhookKeyId`).
   */
  keyHeader?: { header: string; credentialsField: string };
  /** A credentials field an account must hold to have sent anything (Purse: `webhookSecret`). */
  secretField?: string;
  /** Accounts tried at most for a webhook whose URL names no entity. */
  maxUnnamedAccounts: number;
  /**
   * The partner's endpoint check (a GET on the webhook URL before it sends anything): the text to
   * answer, or undefined when the request lacks what the partner sends (400).
   */
  answerEndpointCheck?(headers: Record<string, string | undefined>): string | undefined;
}

/** Everything Tender knows about one partner, declared in its folder. */
export interface Partner {
  /** The name in the API (`split[].partner`), in queue names and in webhook URLs. */
  name: string;
  methods: Record<string, MethodDefinition>;
  createAdapter(): PartnerAdapter;
  /** Absent: the partner sends no webhooks. */
  webhooks?: PartnerWebhooks;
}
