import { Inject, Injectable } from '@nestjs/common';
import type { TenderConfig } from '@tender/config';
import { CONFIG, Outbox, type QueuedJob } from '@tender/infra';
import {
  advancePayment,
  recordPaymentEvents,
  recordSessionStatusEvent,
  type WebhookConfig,
} from '@tender/payments';
import {
  abortClientSession,
  combine,
  Database,
  DataCipher,
  insertClientSession,
  loadClientSession,
  loadPayment,
  lockPayment,
  newId,
  PrismaClient,
  requestPaymentCancel,
  runStatement,
  sealWebhookHeaders,
  setSessionStatus,
  type ClientSessionRecord,
  type Sql,
} from '@tender/persistence';
import { ApiError } from '../http/api-error';
import type { CreateClientSessionBody } from './client-session.schemas';
import {
  ABORTABLE_SESSION_STATUSES,
  checkoutUrls,
  presentClientSession,
  type EligibleSolution,
} from './client-session.presenter';
import { assertEntity } from '../http/entity';
import { newShopperCredential } from '../checkout/shopper-credential';

@Injectable()
export class ClientSessionsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly db: Database,
    private readonly cipher: DataCipher,
    private readonly outbox: Outbox,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  async create(entityId: string, body: CreateClientSessionBody): Promise<Record<string, unknown>> {
    assertEntity(entityId, body.entity_id);
    const eligibleSolutions = await this.eligibleSolutions(entityId);
    const id = newId();
    const session = await this.withEvent((tx) =>
      insertClientSession(tx, {
        id,
        entityId,
        amount: BigInt(body.amount),
        currency: body.currency,
        captureMode: body.capture_mode,
        integrationMode: body.integration_mode,
        allowFutureUsage: body.allow_future_usage,
        order: body.order,
        customer: body.customer,
        threeDsOptions: body.three_ds_authentication_options,
        shopperRedirectionUrl: body.shopper_redirection_url,
        webhook: sealWebhookHeaders(this.cipher, body.webhook),
        eligibleSolutions,
        widgetData: newShopperCredential(id),
        expiresAt: new Date(Date.now() + this.config.CLIENT_SESSION_TTL_SECONDS * 1000),
      }),
    );
    return this.present(session);
  }

  async get(entityId: string, id: string): Promise<Record<string, unknown>> {
    return this.present(await this.load(entityId, id));
  }

  async abort(entityId: string, id: string): Promise<Record<string, unknown>> {
    const session = await this.load(entityId, id);
    if (!ABORTABLE_SESSION_STATUSES.includes(session.status)) {
      throw ApiError.conflict(
        'client_session_not_abortable',
        `Client session status ${session.status} is incompatible with abort request.`,
      );
    }
    // Conditional on the status we saw: a concurrent change (payment completed, expiry) wins and we answer 409.
    const aborted = await this.withEvent(async (tx) => {
      if (!(await abortClientSession(tx, session))) {
        throw ApiError.conflict(
          'client_session_not_abortable',
          'The client session changed meanwhile; retry.',
        );
      }
      const jobs = session.paymentId ? await this.cancelPayment(tx, session.paymentId) : [];
      return { session: (await loadClientSession(tx, id))!, jobs };
    });
    return this.present(aborted);
  }

  /** Every partner/method pair the entity's partner accounts make eligible. */
  async eligibleSolutions(entityId: string): Promise<EligibleSolution[]> {
    const accounts = await this.prisma.partnerAccount.findMany({
      where: { entityId },
      orderBy: { partner: 'asc' },
    });
    return accounts.flatMap((account) =>
      account.methods.map((method) => ({ partner: account.partner, method })),
    );
  }

  /** Loads a session of this entity (another entity's id answers 404), expiring it when its time is up. */
  async load(entityId: string, id: string): Promise<ClientSessionRecord> {
    const session = await loadClientSession(this.db, id, entityId);
    if (!session) throw ApiError.notFound('client session', id);
    if (session.status === 'CREATED' && session.expiresAt.getTime() <= Date.now()) {
      return this.withEvent(async (tx) => {
        await setSessionStatus(tx, id, 'CREATED', 'EXPIRED');
        return (await loadClientSession(tx, id))!;
      });
    }
    return session;
  }

  /**
   * The shopper's session is aborted while its payment is still being authorized: the saga sends no
   * further tender and voids whatever holds money, and the payment ends CANCELLED.
   */
  private async cancelPayment(tx: Sql, paymentId: string): Promise<QueuedJob[]> {
    await lockPayment(tx, paymentId);
    const before = await loadPayment(tx, paymentId);
    if (!before || !['PENDING', 'PENDING_FRAUD_APPROVAL'].includes(before.status)) return [];
    await requestPaymentCancel(tx, paymentId, new Date());
    const payment = (await loadPayment(tx, paymentId))!;
    const advanced = await advancePayment(tx, payment);
    if (advanced.writes.length) await runStatement(tx, combine(advanced.writes));
    const after = (await loadPayment(tx, paymentId))!;
    return [
      ...advanced.jobs,
      ...(await recordPaymentEvents(tx, before, after, after.webhook as WebhookConfig | null)),
    ];
  }

  /** Runs a session change and records its CLIENT_SESSION_STATUS event in the same transaction. */
  private async withEvent(
    change: (tx: Sql) => Promise<ClientSessionRecord | { session: ClientSessionRecord; jobs: QueuedJob[] }>,
  ): Promise<ClientSessionRecord> {
    const { session, jobs, outboxIds } = await this.db.transaction(async (tx) => {
      const changed = await change(tx);
      const { session, jobs } = 'jobs' in changed ? changed : { session: changed, jobs: [] as QueuedJob[] };
      jobs.push(...(await recordSessionStatusEvent(tx, session.id)));
      return { session, jobs, outboxIds: await this.outbox.write(tx, jobs) };
    });
    await this.outbox.publish(jobs, outboxIds);
    return session;
  }

  private present(session: ClientSessionRecord): Record<string, unknown> {
    return presentClientSession(session, checkoutUrls(this.config));
  }
}
