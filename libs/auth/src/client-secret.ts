import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * API client credentials: ids `cli_…`, secrets `sec_…` (32 random bytes), secrets stored as salted
 * scrypt hashes `scrypt$N$r$p$salt$hash` (base64url salt and hash), compared in constant time.
 *
 * No framework and no database here: the API's token endpoint and the provisioning functions
 * (CLI, tests) share this file.
 */
const SCRYPT = { N: 16384, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** Presented secrets longer than this are refused without hashing (ours are 47 characters). */
export const MAX_SECRET_LENGTH = 512;

const CLIENT_ID = /^cli_[A-Za-z0-9_-]{16,64}$/;

function scrypt(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password, salt, keyLength, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

export function generateClientId(): string {
  return `cli_${randomBytes(16).toString('base64url')}`;
}

export function generateClientSecret(): string {
  return `sec_${randomBytes(32).toString('base64url')}`;
}

/** Whether `value` has the shape of one of our client ids (a cheap filter before any database look-up). */
export function isClientIdFormat(value: string): boolean {
  return CLIENT_ID.test(value);
}

export async function hashClientSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await scrypt(secret, salt, KEY_LENGTH, { ...SCRYPT, maxmem: maxmem(SCRYPT.N, SCRYPT.r) });
  return [
    'scrypt',
    SCRYPT.N,
    SCRYPT.r,
    SCRYPT.p,
    salt.toString('base64url'),
    hash.toString('base64url'),
  ].join('$');
}

interface ParsedHash {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  hash: Buffer;
}

function maxmem(N: number, r: number): number {
  return 256 * N * r;
}

/** Parses a stored hash, refusing parameters that would make verification absurdly costly. */
function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map((part) => (/^\d{1,8}$/.test(part) ? Number(part) : NaN));
  const powerOfTwo = Number.isInteger(Math.log2(N));
  if (!powerOfTwo || N < 1024 || N > 1 << 20 || !(r >= 1 && r <= 32) || !(p >= 1 && p <= 16)) return null;
  const salt = Buffer.from(parts[4], 'base64url');
  const hash = Buffer.from(parts[5], 'base64url');
  if (salt.length < 8 || hash.length < 16) return null;
  return { N, r, p, salt, hash };
}

let dummyHash: Promise<string> | undefined;

/** A hash of a random secret nobody knows, so that unknown clients cost as much as known ones. */
function getDummyHash(): Promise<string> {
  dummyHash ??= hashClientSecret(randomBytes(32).toString('base64url'));
  return dummyHash;
}

/**
 * Whether `secret` matches `stored`. Pass `null` when the client does not exist: a dummy hash is
 * then checked (and `false` returned), so that response times do not tell which client ids exist.
 */
export async function verifyClientSecret(secret: string, stored: string | null): Promise<boolean> {
  const known = stored === null ? null : parseHash(stored);
  const target = known ?? parseHash(await getDummyHash())!;
  const candidate = await scrypt(secret.slice(0, MAX_SECRET_LENGTH), target.salt, target.hash.length, {
    N: target.N,
    r: target.r,
    p: target.p,
    maxmem: maxmem(target.N, target.r),
  });
  const equal = timingSafeEqual(candidate, target.hash);
  return known !== null && secret.length <= MAX_SECRET_LENGTH && equal;
}
