import { Injectable } from '@nestjs/common';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import {
  DataCipher,
  newId,
  openSigningKey,
  PrismaClient,
  sealSigningKey,
  type Prisma,
} from '@tender/persistence';
import {
  generateRsaKeyPair,
  JWS_ALGORITHM,
  privateKeyFromJwk,
  type GeneratedKeyPair,
  type PublicJwk,
} from './jws';

/**
 * The keys that sign `purse-redirection-data` tokens (table `signing_key`), and their rules.
 *
 * Lifecycle of a key (`retiredAt` is "stops signing at", possibly in the future):
 * - active: `retiredAt` null or in the future. The SIGNING key is the active key retiring soonest
 *   (a key whose retirement is scheduled keeps signing until then; the key with no retirement
 *   date comes last). So after a rotation the old key keeps signing until `switchAt` while its
 *   successor is already published: every JWKS cache (ours: {@link KEY_CACHE_TTL_MS}; merchants'
 *   ones, often minutes) learns the new key BEFORE any token carries its kid.
 * - published: active, or retired less than {@link RETIRED_KEY_PUBLISHED_MS} ago: the longest a
 *   token may live + how long a process may keep signing with a stale cache + clock skew. So a
 *   rotation never invalidates a token already issued.
 *
 * Creation and rotation take a Postgres advisory lock (transaction scoped) and re-read under it,
 * so API processes starting together create ONE first key, and concurrent rotations serialize:
 * at most one key ever has no retirement date.
 *
 * Private keys are stored as JWK in the database, encrypted with DATA_ENCRYPTION_KEYS like the
 * other secrets at rest (`signing_key.private_jwk`).
 */

/** No token signed with these keys may live longer (the redirection token lives exactly this). */
export const MAX_TOKEN_TTL_SECONDS = 600;
/** How long a process trusts its in-memory copy of the key table. */
export const KEY_CACHE_TTL_MS = 60_000;
export const CLOCK_SKEW_MS = 5 * 60_000;
/** How long a retired key stays in the JWKS. */
export const RETIRED_KEY_PUBLISHED_MS = MAX_TOKEN_TTL_SECONDS * 1000 + KEY_CACHE_TTL_MS + CLOCK_SKEW_MS;
/** Default delay between a rotation and the first token signed by the new key (pre-publication). */
export const DEFAULT_SWITCH_DELAY_MS = 10 * 60_000;

const LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtext('tender.signing_key'))";

export interface SigningKeyRow {
  id: string;
  algorithm: string;
  privateJwk: unknown;
  publicJwk: unknown;
  createdAt: Date;
  retiredAt: Date | null;
}

type Db = PrismaClient | Prisma.TransactionClient;

// ---- rules (pure) -----------------------------------------------------------------------------

export function isActive(key: SigningKeyRow, now: number): boolean {
  return key.retiredAt === null || key.retiredAt.getTime() > now;
}

export function isPublished(key: SigningKeyRow, now: number): boolean {
  return key.retiredAt === null || key.retiredAt.getTime() > now - RETIRED_KEY_PUBLISHED_MS;
}

/** The key that signs at `now`: the active key retiring soonest (undefined: none, create one). */
export function currentSigningKey<K extends SigningKeyRow>(keys: readonly K[], now: number): K | undefined {
  const retiresAt = (key: K) => key.retiredAt?.getTime() ?? Number.POSITIVE_INFINITY;
  return keys
    .filter((key) => isActive(key, now))
    .sort((a, b) => retiresAt(a) - retiresAt(b) || a.createdAt.getTime() - b.createdAt.getTime())[0];
}

// ---- database ---------------------------------------------------------------------------------

export async function loadPublishedKeys(db: Db, now: number): Promise<SigningKeyRow[]> {
  return db.signingKey.findMany({
    where: { OR: [{ retiredAt: null }, { retiredAt: { gt: new Date(now - RETIRED_KEY_PUBLISHED_MS) } }] },
    orderBy: { createdAt: 'asc' },
  });
}

/** Makes the key pair of a new key (RSA 2048 by default; tests may hand out ready-made pairs). */
export type KeyPairGenerator = (kid: string) => Promise<GeneratedKeyPair>;

async function newKeyRow(
  cipher: DataCipher,
  now: Date,
  generate: KeyPairGenerator,
): Promise<Prisma.SigningKeyCreateInput> {
  const kid = newId(now.getTime());
  const { privateJwk, publicJwk } = await generate(kid);
  return {
    id: kid,
    algorithm: JWS_ALGORITHM,
    privateJwk: sealSigningKey(cipher, privateJwk),
    publicJwk: publicJwk as unknown as Prisma.InputJsonValue,
    createdAt: now,
  };
}

export interface KeyCreationOptions {
  now?: Date;
  generateKeyPair?: KeyPairGenerator;
}

/** The current signing key, created (once, whatever the number of processes) when there is none. */
export async function ensureSigningKey(
  prisma: PrismaClient,
  cipher: DataCipher,
  options: KeyCreationOptions = {},
): Promise<SigningKeyRow> {
  const now = options.now ?? new Date();
  const existing = currentSigningKey(await loadPublishedKeys(prisma, now.getTime()), now.getTime());
  if (existing) return existing;
  const fresh = await newKeyRow(cipher, now, options.generateKeyPair ?? generateRsaKeyPair); // outside the lock
  return prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(LOCK_SQL);
    const current = currentSigningKey(await loadPublishedKeys(tx, now.getTime()), now.getTime());
    return current ?? tx.signingKey.create({ data: fresh });
  });
}

export interface RotateOptions extends KeyCreationOptions {
  /**
   * Delay before the new key signs (default {@link DEFAULT_SWITCH_DELAY_MS}); meanwhile it is
   * published and the old key keeps signing. 0 switches at once (a compromised key): verifiers
   * whose JWKS copy predates the rotation then need to refetch it when they meet the new kid.
   */
  switchAfterMs?: number;
}

export interface RotationResult {
  /** The new key. */
  kid: string;
  /** Keys scheduled to stop signing at `switchAt` (normally the one current key). */
  retired: string[];
  /** When the new key starts signing. */
  switchAt: Date;
}

/**
 * Rotates the signing key: schedules the retirement of every active key at `now + switchAfterMs`
 * and creates their successor, published at once. Tokens already issued keep verifying: retired
 * keys stay published until those tokens expired. For operators (CLI): `rotateSigningKey(prisma, cipher)`.
 */
export async function rotateSigningKey(
  prisma: PrismaClient,
  cipher: DataCipher,
  options: RotateOptions = {},
): Promise<RotationResult> {
  const now = options.now ?? new Date();
  const switchAfterMs = options.switchAfterMs ?? DEFAULT_SWITCH_DELAY_MS;
  if (!Number.isFinite(switchAfterMs) || switchAfterMs < 0) {
    throw new RangeError('switchAfterMs must be >= 0');
  }
  const switchAt = new Date(now.getTime() + switchAfterMs);
  const fresh = await newKeyRow(cipher, now, options.generateKeyPair ?? generateRsaKeyPair);
  return prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(LOCK_SQL);
    const retiring = await tx.signingKey.findMany({
      where: { OR: [{ retiredAt: null }, { retiredAt: { gt: switchAt } }] },
      select: { id: true },
    });
    await tx.signingKey.updateMany({
      where: { id: { in: retiring.map((key) => key.id) } },
      data: { retiredAt: switchAt },
    });
    const created = await tx.signingKey.create({ data: fresh });
    return { kid: created.id, retired: retiring.map((key) => key.id), switchAt };
  });
}

export type KeyState = 'signing' | 'next' | 'published' | 'unpublished';

export interface SigningKeySummary {
  kid: string;
  algorithm: string;
  state: KeyState;
  createdAt: Date;
  retiredAt: Date | null;
}

/** Every key with its state, newest first (for operators). */
export async function listSigningKeys(prisma: PrismaClient, now = new Date()): Promise<SigningKeySummary[]> {
  const keys = await prisma.signingKey.findMany({ orderBy: { createdAt: 'desc' } });
  const signing = currentSigningKey(keys, now.getTime());
  return keys.map((key) => ({
    kid: key.id,
    algorithm: key.algorithm,
    state:
      key === signing
        ? 'signing'
        : isActive(key, now.getTime())
          ? 'next'
          : isPublished(key, now.getTime())
            ? 'published'
            : 'unpublished',
    createdAt: key.createdAt,
    retiredAt: key.retiredAt,
  }));
}

// ---- the API's view, cached -------------------------------------------------------------------

/**
 * Signing keys as the API uses them: the published keys are read at most once per
 * {@link KEY_CACHE_TTL_MS} (not on every request), the first key is created on demand.
 */
@Injectable()
export class SigningKeys {
  private cache?: { keys: SigningKeyRow[]; until: number };
  private loading?: Promise<SigningKeyRow[]>;
  private generation = 0;
  private ensuring?: Promise<void>;
  private readonly privateKeys = new Map<string, KeyObject>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly cipher: DataCipher,
  ) {}

  /** The key to sign with now. */
  async signingKey(): Promise<{ kid: string; privateKey: KeyObject }> {
    const now = Date.now();
    const key = currentSigningKey(await this.keysWithCurrent(now), now);
    if (!key) throw new Error('no signing key available');
    let privateKey = this.privateKeys.get(key.id);
    if (!privateKey) {
      privateKey = privateKeyFromJwk(openSigningKey(this.cipher, key.privateJwk) as JsonWebKey);
      this.privateKeys.set(key.id, privateKey);
    }
    return { kid: key.id, privateKey };
  }

  /** The JWKS: every published key, newest first. */
  async jwks(): Promise<{ keys: PublicJwk[] }> {
    const now = Date.now();
    const keys = (await this.keysWithCurrent(now)).filter((key) => isPublished(key, now));
    return { keys: keys.reverse().map((key) => key.publicJwk as PublicJwk) };
  }

  /** {@link rotateSigningKey}, then forget the cached keys of this process. */
  async rotate(options?: RotateOptions): Promise<RotationResult> {
    const result = await rotateSigningKey(this.prisma, this.cipher, options);
    this.invalidate();
    return result;
  }

  invalidate(): void {
    this.generation += 1;
    this.cache = undefined;
    this.loading = undefined;
  }

  private async keysWithCurrent(now: number): Promise<SigningKeyRow[]> {
    const keys = await this.keys(now);
    if (currentSigningKey(keys, now)) return keys;
    // One creation at a time in this process (RSA generation is not free); other processes: the lock.
    this.ensuring ??= ensureSigningKey(this.prisma, this.cipher, { now: new Date(now) })
      .then(() => this.invalidate())
      .finally(() => {
        this.ensuring = undefined;
      });
    await this.ensuring;
    return this.keys(now);
  }

  private keys(now: number): Promise<SigningKeyRow[]> {
    if (this.cache && this.cache.until > now) return Promise.resolve(this.cache.keys);
    if (!this.loading) {
      const generation = this.generation;
      const loading = loadPublishedKeys(this.prisma, now)
        .then((keys) => {
          if (generation === this.generation) this.cache = { keys, until: Date.now() + KEY_CACHE_TTL_MS };
          return keys;
        })
        .finally(() => {
          if (this.loading === loading) this.loading = undefined;
        });
      this.loading = loading;
    }
    return this.loading;
  }
}
