import { randomBytes } from 'node:crypto';
import type Redis from 'ioredis';
import {
  openWebhookSecret,
  sealCredentials,
  sealWebhookSecret,
  type DataCipher,
  type Prisma,
  type PrismaClient,
} from '@tender/persistence';
import { isUuid, newId } from '@tender/persistence/ids';
import { generateClientId, generateClientSecret, hashClientSecret, isClientIdFormat } from '@tender/auth';
import { publishRevocation } from '@tender/auth';
import { isScope, normalizeScopes, SCOPES, type Scope } from '@tender/auth';
import { ProvisioningError } from './errors';
import { maskCredentials } from './masking';

/**
 * Provisioning of entities, API clients, partner accounts and webhook secrets: plain functions over
 * a PrismaClient, used by the CLI and by the tests. Results use the API's snake_case and ISO dates.
 */

/** How long a rotated-out webhook secret keeps signing (so merchants can deploy the new one). */
export const WEBHOOK_SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

export interface EntitySummary {
  entity_id: string;
  name: string;
  created_at: string;
}

export interface CreatedEntity {
  entity_id: string;
  name: string;
  webhook_secret: string;
}

export interface CreatedClient {
  client_id: string;
  /** Shown once: only its hash is stored. */
  client_secret: string;
  entity_id: string;
  scopes: Scope[];
}

export interface ClientSummary {
  client_id: string;
  entity_id: string;
  name: string | null;
  scopes: Scope[];
  created_at: string;
  revoked_at: string | null;
}

export interface PartnerAccountView {
  partner_account_id: string;
  entity_id: string;
  partner: string;
  methods: string[];
  /** Secret values replaced by `********`. */
  credentials: unknown;
  config: unknown;
  created_at: string;
  updated_at: string;
}

export interface WebhookSecrets {
  entity_id: string;
  /** The newest secret: the one merchants should verify with. */
  webhook_secret: string;
  /** Older secrets still valid during a rotation overlap. */
  previous_secrets?: Array<{ webhook_secret: string; expires_at: string | null }>;
}

export interface PartnerAccountInput {
  methods: string[];
  credentials: Record<string, unknown>;
  /** Replaces the stored config when given; kept (or `{}` for a new account) otherwise. */
  config?: Record<string, unknown>;
}

type Db = PrismaClient | Prisma.TransactionClient;

/** A Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === 'P2002';
}

async function requireEntity(db: Db, entityId: string): Promise<{ id: string; name: string }> {
  const entity = isUuid(entityId)
    ? await db.entity.findUnique({ where: { id: entityId }, select: { id: true, name: true } })
    : null;
  if (!entity) throw new ProvisioningError('not_found', `no entity with id ${entityId}`);
  return entity;
}

const NAME = /^\S(.{0,98}\S)?$/;

export async function createEntity(
  prisma: PrismaClient,
  cipher: DataCipher,
  name: string,
): Promise<CreatedEntity> {
  if (!NAME.test(name)) {
    throw new ProvisioningError(
      'invalid',
      'the entity name must be 1 to 100 characters, without surrounding spaces',
    );
  }
  const id = newId();
  const secret = generateWebhookSecret();
  try {
    await prisma.$transaction([
      prisma.entity.create({ data: { id, name } }),
      prisma.webhookSecret.create({
        data: { id: newId(), entityId: id, secret: sealWebhookSecret(cipher, secret) },
      }),
    ]);
  } catch (error) {
    if (isUniqueViolation(error))
      throw new ProvisioningError('conflict', `an entity named "${name}" already exists`);
    throw error;
  }
  return { entity_id: id, name, webhook_secret: secret };
}

export async function listEntities(prisma: PrismaClient): Promise<EntitySummary[]> {
  const entities = await prisma.entity.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return entities.map((e) => ({ entity_id: e.id, name: e.name, created_at: e.createdAt.toISOString() }));
}

export async function findEntityByName(prisma: PrismaClient, name: string): Promise<EntitySummary | null> {
  const entity = await prisma.entity.findUnique({ where: { name } });
  return entity
    ? { entity_id: entity.id, name: entity.name, created_at: entity.createdAt.toISOString() }
    : null;
}

export function parseScopes(values: readonly string[]): Scope[] {
  const tokens = values.flatMap((value) => value.split(/[\s,]+/)).filter(Boolean);
  const unknown = tokens.filter((token) => !isScope(token));
  if (unknown.length > 0) {
    throw new ProvisioningError('invalid', `unknown scope ${unknown[0]} (expected ${SCOPES.join(' or ')})`);
  }
  const scopes = normalizeScopes(tokens);
  if (scopes.length === 0)
    throw new ProvisioningError('invalid', `at least one scope is required (${SCOPES.join(', ')})`);
  return scopes;
}

/** A new API client of the entity. The secret is returned here and never again. */
export async function createClient(
  prisma: PrismaClient,
  entityId: string,
  scopes: readonly string[],
  options: { name?: string } = {},
): Promise<CreatedClient> {
  const granted = parseScopes(scopes);
  await requireEntity(prisma, entityId);
  const clientId = generateClientId();
  const clientSecret = generateClientSecret();
  await prisma.apiClient.create({
    data: {
      id: clientId,
      entityId,
      name: options.name ?? null,
      secretHash: await hashClientSecret(clientSecret),
      scopes: granted,
    },
  });
  return { client_id: clientId, client_secret: clientSecret, entity_id: entityId, scopes: granted };
}

export async function listClients(prisma: PrismaClient, entityId: string): Promise<ClientSummary[]> {
  await requireEntity(prisma, entityId);
  const clients = await prisma.apiClient.findMany({
    where: { entityId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return clients.map((c) => ({
    client_id: c.id,
    entity_id: c.entityId,
    name: c.name,
    scopes: normalizeScopes(c.scopes),
    created_at: c.createdAt.toISOString(),
    revoked_at: c.revokedAt?.toISOString() ?? null,
  }));
}

export interface RevokedClient {
  client_id: string;
  revoked_at: string;
  /** Whether the API processes were told through Redis (they find out from Postgres within 5 s otherwise). */
  live: boolean;
  warning?: string;
}

/**
 * Revokes a client: no new token is issued to it, and the API refuses the tokens it holds within
 * 5 s. `revoked_at` is committed first (the truth), then the client's Redis mark is written (the
 * API processes read it on every request). Revoking again keeps the first date and rewrites the mark.
 */
export async function revokeClient(
  prisma: PrismaClient,
  clientId: string,
  live?: { redis: Redis; prefix: string },
): Promise<RevokedClient> {
  const client = isClientIdFormat(clientId)
    ? await prisma.apiClient.findUnique({ where: { id: clientId }, select: { revokedAt: true } })
    : null;
  if (!client) throw new ProvisioningError('not_found', `no client with id ${clientId}`);
  const revokedAt =
    client.revokedAt ??
    (await prisma.apiClient.update({ where: { id: clientId }, data: { revokedAt: new Date() } })).revokedAt!;
  const result = { client_id: clientId, revoked_at: revokedAt.toISOString() };
  if (!live) return { ...result, live: false };
  try {
    await publishRevocation(live.redis, live.prefix, clientId, revokedAt);
    return { ...result, live: true };
  } catch {
    return {
      ...result,
      live: false,
      warning: 'Redis could not be told: the API refuses the client from Postgres within 5 s',
    };
  }
}

const PARTNER = /^[a-z][a-z0-9_-]{0,63}$/;
const METHOD = /^[a-z][a-z0-9_-]{0,63}$/;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toView(account: {
  id: string;
  entityId: string;
  partner: string;
  methods: string[];
  credentials: unknown;
  config: unknown;
  createdAt: Date;
  updatedAt: Date;
}): PartnerAccountView {
  return {
    partner_account_id: account.id,
    entity_id: account.entityId,
    partner: account.partner,
    methods: account.methods,
    credentials: maskCredentials(account.credentials),
    config: account.config,
    created_at: account.createdAt.toISOString(),
    updated_at: account.updatedAt.toISOString(),
  };
}

/** Creates or replaces the entity's account at `partner` (one per entity and partner). Credentials come back masked. */
export async function setPartnerAccount(
  prisma: PrismaClient,
  cipher: DataCipher,
  entityId: string,
  partner: string,
  input: PartnerAccountInput,
): Promise<PartnerAccountView> {
  if (!PARTNER.test(partner)) throw new ProvisioningError('invalid', `invalid partner name "${partner}"`);
  const methods = [...new Set(input.methods)];
  if (methods.length === 0) throw new ProvisioningError('invalid', 'at least one method is required');
  const badMethod = methods.find((method) => !METHOD.test(method));
  if (badMethod !== undefined) throw new ProvisioningError('invalid', `invalid method name "${badMethod}"`);
  if (!isPlainObject(input.credentials))
    throw new ProvisioningError('invalid', 'credentials must be a JSON object');
  if (input.config !== undefined && !isPlainObject(input.config)) {
    throw new ProvisioningError('invalid', 'config must be a JSON object');
  }
  await requireEntity(prisma, entityId);
  const credentials = sealCredentials(cipher, input.credentials) as Prisma.InputJsonObject;
  const config = input.config as Prisma.InputJsonObject | undefined;
  const account = await prisma.partnerAccount.upsert({
    where: { entityId_partner: { entityId, partner } },
    create: { id: newId(), entityId, partner, methods, credentials, config: config ?? {} },
    update: { methods, credentials, ...(config !== undefined ? { config } : {}) },
  });
  return toView(account);
}

export async function listPartnerAccounts(
  prisma: PrismaClient,
  entityId: string,
): Promise<PartnerAccountView[]> {
  await requireEntity(prisma, entityId);
  const accounts = await prisma.partnerAccount.findMany({ where: { entityId }, orderBy: { partner: 'asc' } });
  return accounts.map(toView);
}

async function activeSecrets(
  db: Db,
  cipher: DataCipher,
  entityId: string,
  now: Date,
): Promise<WebhookSecrets> {
  const secrets = await db.webhookSecret.findMany({
    where: { entityId, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    // The secret without expiry (the newest: rotation sets an expiry on the others) first.
    orderBy: [{ expiresAt: { sort: 'desc', nulls: 'first' } }, { id: 'desc' }],
  });
  const [current, ...previous] = secrets;
  if (!current) {
    throw new ProvisioningError(
      'not_found',
      `entity ${entityId} has no active webhook secret: rotate it to create one`,
    );
  }
  return {
    entity_id: entityId,
    webhook_secret: openWebhookSecret(cipher, current.secret),
    ...(previous.length > 0
      ? {
          previous_secrets: previous.map((s) => ({
            webhook_secret: openWebhookSecret(cipher, s.secret),
            expires_at: s.expiresAt?.toISOString() ?? null,
          })),
        }
      : {}),
  };
}

/** The entity's webhook signing secrets that have not expired, newest first. */
export async function getWebhookSecret(
  prisma: PrismaClient,
  cipher: DataCipher,
  entityId: string,
): Promise<WebhookSecrets> {
  await requireEntity(prisma, entityId);
  return activeSecrets(prisma, cipher, entityId, new Date());
}

/**
 * A new webhook secret; the secrets active until now expire after an overlap (24 h by default)
 * during which events are signed with both (Standard Webhooks lists several signatures).
 */
export async function rotateWebhookSecret(
  prisma: PrismaClient,
  cipher: DataCipher,
  entityId: string,
  options: { overlapMs?: number } = {},
): Promise<WebhookSecrets> {
  if (!isUuid(entityId)) throw new ProvisioningError('not_found', `no entity with id ${entityId}`);
  return prisma.$transaction(async (tx) => {
    // Serializes concurrent rotations of the same entity.
    const locked = await tx.$queryRaw<
      Array<{ id: string }>
    >`SELECT id FROM entity WHERE id = ${entityId}::uuid FOR UPDATE`;
    if (locked.length === 0) throw new ProvisioningError('not_found', `no entity with id ${entityId}`);
    const now = new Date();
    const overlapEnd = new Date(now.getTime() + (options.overlapMs ?? WEBHOOK_SECRET_OVERLAP_MS));
    await tx.webhookSecret.updateMany({
      where: { entityId, OR: [{ expiresAt: null }, { expiresAt: { gt: overlapEnd } }] },
      data: { expiresAt: overlapEnd },
    });
    await tx.webhookSecret.create({
      data: { id: newId(), entityId, secret: sealWebhookSecret(cipher, generateWebhookSecret()) },
    });
    return activeSecrets(tx, cipher, entityId, now);
  });
}
