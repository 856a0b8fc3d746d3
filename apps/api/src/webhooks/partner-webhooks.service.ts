import { Inject, Injectable, Logger } from '@nestjs/common';
import { Outbox } from '@tender/infra';
import {
  PARTNER_NAMES,
  WebhookVerificationError,
  type PartnerAdapter,
  type PartnerWebhookEvent,
} from '@tender/partners';
import {
  DataCipher,
  DataDecryptionError,
  isUuid,
  newId,
  openCredentials,
  PrismaClient,
  prismaSql,
  type Prisma,
} from '@tender/persistence';
import { createPartnerAdapters } from '@tender/partners/all-partners';
import { partnerEventJob } from '@tender/infra';
import { ApiError } from '../http/api-error';

/** The partner adapters whose `verifyWebhook` checks inbound webhooks (the worker's list). */
export const WEBHOOK_PARTNER_ADAPTERS = Symbol('WEBHOOK_PARTNER_ADAPTERS');
export const webhookPartnerAdaptersProvider = {
  provide: WEBHOOK_PARTNER_ADAPTERS,
  useFactory: (): PartnerAdapter[] => createPartnerAdapters(),
};

/** Accounts whose secret is tried per request, at most (a key id is normally one merchant's). */
const MAX_CANDIDATE_ACCOUNTS = 500;

type Headers = Record<string, string | undefined>;

export interface ReceivedWebhook {
  received: true;
  /** The partner sent this event before: acknowledged, not processed again. */
  duplicate: boolean;
}

/**
 * Inbound partner webhooks: verified on the raw bytes against the partner accounts the request can
 * belong to, stored once in `partner_event` (unique partner + event id) together with the job that
 * processes it (outbox, one transaction), and acknowledged. No partner is called here: the worker
 * treats the event as a hint (see PartnerEventProcessor).
 *
 * Which accounts are tried:
 * - connect: the accounts whose `credentials.webhookKeyId` equals `X-GCS-KeyId` (none → 401);
 * - purse: the Purse accounts with a `credentials.webhookSecret`, narrowed to one entity by the
 *   optional `?entity=<entity id>` of the URL configured at Purse (recommended: one HMAC per request);
 * - a partner whose adapter has no `verifyWebhook` (paytronix: it sends no webhooks) → 404.
 * Every candidate that verifies is kept (several entities may share one webhook key); the worker
 * only matches transactions of those entities.
 */
@Injectable()
export class PartnerWebhooksService {
  private readonly adapters: Map<string, PartnerAdapter>;
  private readonly logger = new Logger('partner-webhooks');

  constructor(
    private readonly prisma: PrismaClient,
    private readonly cipher: DataCipher,
    private readonly outbox: Outbox,
    @Inject(WEBHOOK_PARTNER_ADAPTERS) adapters: PartnerAdapter[],
  ) {
    this.adapters = new Map(adapters.map((adapter) => [adapter.partner, adapter]));
  }

  async receive(
    partner: string,
    rawBody: Buffer | undefined,
    headers: Headers,
    entityHint?: string,
  ): Promise<ReceivedWebhook> {
    const adapter = this.adapters.get(partner);
    if (!adapter && !PARTNER_NAMES.includes(partner)) throw ApiError.notFound('partner', partner);
    if (!adapter?.verifyWebhook) {
      throw new ApiError(
        404,
        'not_found',
        'Not found',
        `${partner} sends no webhooks: nothing is accepted here.`,
      );
    }
    if (!rawBody || rawBody.length === 0) throw invalid(400, 'the webhook has no JSON body');

    const accounts = await this.candidates(partner, headers, entityHint);
    const verified: Array<{ accountId: string; event: PartnerWebhookEvent }> = [];
    let rejection: WebhookVerificationError | undefined;
    for (const account of accounts) {
      try {
        const event = adapter.verifyWebhook(rawBody, headers, {
          partner,
          credentials: account.credentials,
          config: (account.config ?? {}) as Record<string, unknown>,
        });
        verified.push({ accountId: account.id, event });
      } catch (error) {
        if (!(error instanceof WebhookVerificationError)) throw error;
        // A body that is genuine but malformed (400) says more than a signature mismatch elsewhere.
        if (!rejection || (error.status === 400 && rejection.status !== 400)) rejection = error;
      }
    }
    if (verified.length === 0) {
      throw rejection
        ? invalid(rejection.status, rejection.message)
        : invalid(401, 'no account to verify the webhook with');
    }

    const { event } = verified[0];
    const id = newId();
    const job = partnerEventJob({
      partnerEventId: id,
      accountIds: verified.map((v) => v.accountId),
      ...(event.partnerReference ? { partnerReference: event.partnerReference } : {}),
      ...(event.reference ? { reference: event.reference } : {}),
    });
    const stored = await this.prisma.$transaction(async (tx) => {
      const inserted = await tx.partnerEvent.createMany({
        data: [
          {
            id,
            partner,
            eventId: event.eventId,
            type: event.type,
            payload: event.payload ?? {},
          },
        ],
        skipDuplicates: true, // (partner, event_id) already stored: a redelivery
      });
      return inserted.count ? await this.outbox.write(prismaSql(tx), [job]) : undefined;
    });
    if (stored) await this.outbox.publish([job], stored);
    return { received: true, duplicate: !stored };
  }

  private async candidates(partner: string, headers: Headers, entityHint?: string) {
    if (entityHint !== undefined && !isUuid(entityHint)) throw invalid(400, 'entity must be an entity id');
    const where: Prisma.PartnerAccountWhereInput = {
      partner,
      ...(entityHint ? { entityId: entityHint.toLowerCase() } : {}),
    };
    if (partner === 'connect') {
      const keyId = header(headers, 'x-gcs-keyid')?.trim();
      if (!keyId) throw invalid(401, "missing header 'X-GCS-KeyId'");
      where.credentials = { path: ['webhookKeyId'], equals: keyId };
    }
    const accounts = (
      await this.prisma.partnerAccount.findMany({
        where,
        select: { id: true, credentials: true, config: true },
        orderBy: { createdAt: 'asc' },
        take: MAX_CANDIDATE_ACCOUNTS,
      })
    ).flatMap((account) => {
      try {
        return [{ ...account, credentials: openCredentials(this.cipher, account.credentials) }];
      } catch (error) {
        if (!(error instanceof DataDecryptionError)) throw error;
        // One account whose key is missing must not refuse every partner webhook.
        this.logger.warn(`partner account ${account.id} skipped: ${error.message}`);
        return [];
      }
    });
    // Purse accounts without a webhook secret cannot have sent anything: not worth an HMAC.
    const usable =
      partner === 'purse'
        ? accounts.filter((account) => {
            const { webhookSecret } = account.credentials;
            return typeof webhookSecret === 'string' && webhookSecret !== '';
          })
        : accounts;
    if (usable.length === 0) {
      throw invalid(
        401,
        partner === 'connect' ? 'unknown webhook key id' : `no ${partner} account with a webhook secret`,
      );
    }
    return usable;
  }
}

function header(headers: Headers, name: string): string | undefined {
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

function invalid(status: 400 | 401, detail: string): ApiError {
  return status === 401
    ? new ApiError(401, 'invalid_webhook_signature', 'Unauthorized', detail)
    : new ApiError(400, 'invalid_webhook', 'Bad request', detail);
}
