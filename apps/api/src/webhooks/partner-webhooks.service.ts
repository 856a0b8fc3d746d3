import { Injectable, Logger } from '@nestjs/common';
import { Outbox, partnerEventJob } from '@tender/infra';
import { Partners, WebhookVerificationError, type Partner, type PartnerWebhookEvent } from '@tender/partners';
import {
  DataCipher,
  DataDecryptionError,
  Database,
  insertPartnerEvent,
  isUuid,
  newId,
  openCredentials,
  PrismaClient,
  type Prisma,
} from '@tender/persistence';
import { ApiError } from '../http/api-error';

/** Accounts tried at most for a webhook whose URL names its entity (or whose key names few merchants). */
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
 * Which accounts are tried (each partner's `webhooks` declares how, in its folder): the entity's the
 * URL names (`/v2/webhooks/<partner>/<entity id>`), else the partner's oldest `maxUnnamedAccounts`;
 * narrowed to those whose key the request names (`keyHeader`) and that hold a webhook secret
 * (`secretField`). A partner that sends no webhooks → 404. Every candidate that verifies is kept
 * (several entities may share one webhook key); the worker only matches transactions of those entities.
 */
@Injectable()
export class PartnerWebhooksService {
  private readonly logger = new Logger('partner-webhooks');

  constructor(
    private readonly prisma: PrismaClient,
    private readonly db: Database,
    private readonly cipher: DataCipher,
    private readonly outbox: Outbox,
    private readonly partners: Partners,
  ) {}

  /** The partner's endpoint check (a GET on the webhook URL): the text to answer. */
  answerEndpointCheck(name: string, headers: Headers): string {
    const webhooks = this.partners.get(name)?.webhooks;
    if (!webhooks?.answerEndpointCheck) throw ApiError.notFound('partner', name);
    const answer = webhooks.answerEndpointCheck(headers);
    if (answer === undefined) {
      throw new ApiError(400, 'bad_request', 'Bad request', `This is not the endpoint check ${name} sends.`);
    }
    return answer;
  }

  async receive(
    partner: string,
    rawBody: Buffer | undefined,
    headers: Headers,
    entityId?: string,
  ): Promise<ReceivedWebhook> {
    const definition = this.partners.get(partner);
    const adapter = this.partners.adapter(partner);
    if (!definition || !adapter) throw ApiError.notFound('partner', partner);
    if (!definition.webhooks || !adapter.verifyWebhook) {
      throw new ApiError(
        404,
        'not_found',
        'Not found',
        `${partner} sends no webhooks: nothing is accepted here.`,
      );
    }
    if (!rawBody || rawBody.length === 0) throw invalid(400, 'the webhook has no JSON body');

    const accounts = await this.candidates(definition, headers, entityId);
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
    const stored = await this.db.transaction(async (tx) => {
      // (partner, event_id) already stored: a redelivery.
      const inserted = await insertPartnerEvent(tx, {
        id,
        partner,
        eventId: event.eventId,
        type: event.type,
        payload: event.payload,
      });
      return inserted ? await this.outbox.write(tx, [job]) : undefined;
    });
    if (stored) await this.outbox.publish([job], stored);
    return { received: true, duplicate: !stored };
  }

  private async candidates(partner: Partner, headers: Headers, entityId?: string) {
    const webhooks = partner.webhooks!;
    if (entityId !== undefined && !isUuid(entityId)) throw ApiError.notFound('entity', entityId);
    const where: Prisma.PartnerAccountWhereInput = {
      partner: partner.name,
      ...(entityId ? { entityId: entityId.toLowerCase() } : {}),
    };
    if (webhooks.keyHeader) {
      const keyId = header(headers, webhooks.keyHeader.header)?.trim();
      if (!keyId) throw invalid(401, `missing header '${webhooks.keyHeader.header}'`);
      where.credentials = { path: [webhooks.keyHeader.credentialsField], equals: keyId };
    }
    const limit = entityId ? MAX_CANDIDATE_ACCOUNTS : webhooks.maxUnnamedAccounts;
    const accounts = (
      await this.prisma.partnerAccount.findMany({
        where,
        select: { id: true, credentials: true, config: true },
        orderBy: { createdAt: 'asc' },
        take: limit + 1,
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
    if (accounts.length > limit) {
      accounts.length = limit;
      this.logger.warn(
        `a ${partner.name} webhook was checked against the oldest ${limit} matching accounts only: ` +
          `configure https://<tender>/v2/webhooks/${partner.name}/<entity id> at ${partner.name} for every entity`,
      );
    }
    const secretField = webhooks.secretField;
    // Accounts without a webhook secret cannot have sent anything: not worth an HMAC.
    const usable = secretField
      ? accounts.filter((account) => {
          const secret = account.credentials[secretField];
          return typeof secret === 'string' && secret !== '';
        })
      : accounts;
    if (usable.length === 0) {
      throw invalid(
        401,
        webhooks.keyHeader ? 'unknown webhook key id' : `no ${partner.name} account with a webhook secret`,
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
