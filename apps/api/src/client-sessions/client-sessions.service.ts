import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { TenderConfig } from '@tender/config';
import { CONFIG } from '@tender/infra';
import { newId, PrismaClient, type Prisma } from '@tender/persistence';
import type { ClientSession } from '@tender/persistence/generated/prisma/client';
import { ApiError } from '../http/api-error';
import type { CreateClientSessionBody } from './client-session.schemas';
import {
  ABORTABLE_SESSION_STATUSES,
  presentClientSession,
  type EligibleSolution,
} from './client-session.presenter';
import { assertEntity } from '../http/entity';

@Injectable()
export class ClientSessionsService {
  constructor(
    private readonly prisma: PrismaClient,
    @Inject(CONFIG) private readonly config: TenderConfig,
  ) {}

  async create(entityId: string, body: CreateClientSessionBody): Promise<Record<string, unknown>> {
    assertEntity(entityId, body.entity_id);
    const session = await this.prisma.clientSession.create({
      data: {
        id: newId(),
        entityId,
        status: 'CREATED',
        amount: BigInt(body.amount),
        currency: body.currency,
        captureMode: body.capture_mode,
        integrationMode: body.integration_mode,
        allowFutureUsage: body.allow_future_usage,
        order: body.order as Prisma.InputJsonValue | undefined,
        customer: body.customer as Prisma.InputJsonValue | undefined,
        threeDsOptions: body.three_ds_authentication_options,
        shopperRedirectionUrl: body.shopper_redirection_url,
        webhook: body.webhook as Prisma.InputJsonValue | undefined,
        eligibleSolutions: (await this.eligibleSolutions(entityId)) as unknown as Prisma.InputJsonValue,
        widgetData: randomBytes(18).toString('base64url'),
        expiresAt: new Date(Date.now() + this.config.CLIENT_SESSION_TTL_SECONDS * 1000),
      },
    });
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
    const updated = await this.prisma.clientSession.updateMany({
      where: { id, entityId, status: session.status, version: session.version },
      data: { status: 'ABORTED_BY_MERCHANT', version: { increment: 1 } },
    });
    if (updated.count === 0) {
      throw ApiError.conflict('client_session_not_abortable', 'The client session changed meanwhile; retry.');
    }
    return this.present(await this.load(entityId, id));
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
  async load(entityId: string, id: string): Promise<ClientSession> {
    const session = await this.prisma.clientSession.findFirst({ where: { id, entityId } });
    if (!session) throw ApiError.notFound('client session', id);
    if (session.status === 'CREATED' && session.expiresAt.getTime() <= Date.now()) {
      await this.prisma.clientSession.updateMany({
        where: { id, status: 'CREATED' },
        data: { status: 'EXPIRED', version: { increment: 1 } },
      });
      return (await this.prisma.clientSession.findFirst({ where: { id, entityId } }))!;
    }
    return session;
  }

  private present(session: ClientSession): Record<string, unknown> {
    return presentClientSession(session, this.config.WIDGET_JS_URL);
  }
}
