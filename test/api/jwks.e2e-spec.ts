import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { createPrismaClient, type PrismaClient } from '@tender/persistence';
import {
  ensureSigningKey,
  generateRsaKeyPair,
  RETIRED_KEY_PUBLISHED_MS,
  rotateSigningKey,
  SigningKeys,
} from '../../apps/api/src/jwks';
import { jwksSchema, redirectionClaimsSchema } from '../../apps/api/src/openapi/response-schemas';
import { TestStack } from '../support/stack';
import { giftCardAndCard } from '../support/payloads';

/**
 * The `purse-redirection-data` token and the JWKS that verifies it, checked with `jose` itself: jose
 * is published as ES modules only, which Jest cannot load, so it runs in a plain Node process.
 */
interface JoseCase {
  token: string;
  jwks?: unknown;
  jwksUrl?: string;
  currentDate?: string;
  audience?: string;
}
type JoseResult =
  { ok: true; payload: Record<string, any>; header: Record<string, any> } | { ok: false; code: string };

const JOSE_SCRIPT = `
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify } from 'jose';
let input = '';
for await (const chunk of process.stdin) input += chunk;
const results = [];
for (const c of JSON.parse(input)) {
  try {
    const keys = c.jwksUrl ? createRemoteJWKSet(new URL(c.jwksUrl)) : createLocalJWKSet(c.jwks);
    const options = { issuer: 'tender', algorithms: ['RS256'] };
    if (c.currentDate) options.currentDate = new Date(c.currentDate);
    if (c.audience) options.audience = c.audience;
    const { payload, protectedHeader } = await jwtVerify(c.token, keys, options);
    results.push({ ok: true, payload, header: protectedHeader });
  } catch (error) {
    results.push({ ok: false, code: error.code ?? String(error.message) });
  }
}
process.stdout.write(JSON.stringify(results));
`;

function joseVerify(cases: JoseCase[]): Promise<JoseResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', JOSE_SCRIPT], {
      cwd: path.resolve(__dirname, '../..'),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`jose verifier exited ${code}: ${err}`));
      else resolve(JSON.parse(out));
    });
    child.stdin.end(JSON.stringify(cases));
  });
}

const decodeHeader = (token: string) => JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());

describe('redirection token and JWKS (/v2/payments/{id}/return, /.well-known/jwks.json)', () => {
  let stack: TestStack;
  let keys: SigningKeys;

  beforeAll(async () => {
    stack = await TestStack.start({ simulators: true, env: { API_WAIT_FOR_OUTCOME_MS: '0' } });
    keys = stack.api.get(SigningKeys);
  });
  afterAll(() => stack.close());

  const jwks = async () => {
    const response = await stack.request('GET', '/.well-known/jwks.json');
    expect(response.status).toBe(200);
    return response.body as { keys: Array<{ kid: string }> };
  };

  async function createPayment(extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
    const response = await stack.request('POST', '/v2/payments', {
      token: stack.frontOffice,
      body: { ...giftCardAndCard({ gift: 2000, card: 2299 }), ...extra },
    });
    expect(response.status).toBe(201);
    return response.body;
  }

  /** GET /return without following the redirect, and without any token. */
  async function returnFrom(paymentId: string) {
    const response = await fetch(`${stack.apiUrl}/v2/payments/${paymentId}/return`, { redirect: 'manual' });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  async function tokenFor(paymentId: string): Promise<string> {
    const response = await returnFrom(paymentId);
    expect(response.status).toBe(303);
    return new URL(response.headers.get('location')!).searchParams.get('purse-redirection-data')!;
  }

  /** Ready-made key pairs, so that concurrent creations reach the database together (RSA generation would spread them). */
  async function readyKeyPairs(count: number) {
    const pairs = await Promise.all(
      Array.from({ length: count }, (_, i) => generateRsaKeyPair(`pregenerated-${i}`)),
    );
    return () => (kid: string) => {
      const pair = pairs.pop()!;
      return Promise.resolve({ privateJwk: pair.privateJwk, publicJwk: { ...pair.publicJwk, kid } });
    };
  }

  it('creates ONE first key, even when several API processes ask for it at the same time', async () => {
    const generator = await readyKeyPairs(8);
    await stack.prisma.signingKey.deleteMany({});
    keys.invalidate();
    const clients: PrismaClient[] = Array.from({ length: 8 }, () =>
      createPrismaClient(stack.config.DATABASE_URL, 2),
    );
    try {
      await Promise.all(clients.map((client) => client.$connect()));
      const created = await Promise.all([
        ...clients.map((client) => ensureSigningKey(client, stack.cipher, { generateKeyPair: generator() })),
        new SigningKeys(clients[0], stack.cipher).signingKey(),
      ]);
      expect(new Set(created.map((key) => ('id' in key ? key.id : key.kid))).size).toBe(1);
      expect(await stack.prisma.signingKey.count({ where: { retiredAt: null } })).toBe(1);
    } finally {
      await Promise.all(clients.map((client) => client.$disconnect()));
    }
  });

  it('publishes an RFC 7517 key set, publicly', async () => {
    const response = await stack.request('GET', '/.well-known/jwks.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const set = jwksSchema.parse(response.body);
    expect(set.keys.length).toBeGreaterThan(0);
    for (const key of set.keys) {
      expect(key).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB', kid: expect.any(String) });
      expect(Buffer.from(key.n, 'base64url').length).toBe(256); // RSA 2048
      expect(key).not.toHaveProperty('d');
    }
  });

  it('sends the shopper back with a token that jose verifies with the JWKS', async () => {
    const session = await stack.request('POST', '/v2/client-sessions', {
      token: stack.frontOffice,
      body: { amount: 4299, currency: 'EUR' },
    });
    const payment = await createPayment({
      client_session_id: session.body.id,
      shopper_redirection_url: 'https://shop.example.org/done?cart=42&q=a%20b#summary',
    });
    const response = await returnFrom(payment.id);
    expect(response.status).toBe(303);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.text).toBe('');
    const location = response.headers.get('location')!;
    expect(location).toMatch(
      /^https:\/\/shop\.example\.org\/done\?cart=42&q=a%20b&purse-redirection-data=[\w-]+\.[\w-]+\.[\w-]+#summary$/,
    );
    const token = new URL(location).searchParams.get('purse-redirection-data')!;

    const jwksUrl = `${stack.apiUrl}/.well-known/jwks.json`;
    const [verified, otherMerchant] = await joseVerify([
      { token, jwksUrl, audience: stack.entityId },
      { token, jwksUrl, audience: '00000000-0000-4000-8000-000000000000' },
    ]);
    if (!verified.ok) throw new Error(`jose refused the token: ${verified.code}`);
    // The audience is the payment's entity: another merchant's return page refuses the token.
    expect(otherMerchant).toEqual({ ok: false, code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
    expect(verified.header).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
    const claims = redirectionClaimsSchema.parse(verified.payload);
    expect(claims).toMatchObject({
      iss: 'tender',
      sub: payment.id,
      aud: stack.entityId,
      payment_id: payment.id,
      client_session_id: session.body.id,
      entity_id: stack.entityId,
      status: payment.authorization.status,
      amount: 4299,
      currency: 'EUR',
    });
    expect(claims.exp - claims.iat).toBe(600);
    expect(Math.abs(claims.iat - Date.now() / 1000)).toBeLessThan(60);

    // Ten minutes later, it is no longer valid.
    const [expired] = await joseVerify([
      { token, jwks: await jwks(), currentDate: new Date((claims.exp + 1) * 1000).toISOString() },
    ]);
    expect(expired).toEqual({ ok: false, code: 'ERR_JWT_EXPIRED' });
  });

  it('shows a status page when the payment has no shopper_redirection_url; 404 for unknown ids', async () => {
    const payment = await createPayment();
    const page = await returnFrom(payment.id);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain(payment.authorization.status);
    expect(page.text).not.toContain(payment.id);
    expect(page.text).not.toContain('4299');

    const unknown = await returnFrom('0192f0c5-1a2b-7c3d-8e4f-5a6b7c8d9e0f');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect((await returnFrom('not-a-uuid')).status).toBe(404);
  });

  it('rotates keys without breaking a token already issued; a new key is published before it signs', async () => {
    const payment = await createPayment({ shopper_redirection_url: 'https://shop.example.org/done' });
    const before = await jwks();
    const token1 = await tokenFor(payment.id);
    const kid1 = decodeHeader(token1).kid;

    // A scheduled rotation: the successor is published at once, the current key keeps signing.
    const scheduled = await keys.rotate();
    expect(scheduled.retired).toEqual([kid1]);
    expect(scheduled.switchAt.getTime()).toBeGreaterThan(Date.now());
    expect((await jwks()).keys.map((key) => key.kid)).toEqual(expect.arrayContaining([kid1, scheduled.kid]));
    const token2 = await tokenFor(payment.id);
    expect(decodeHeader(token2).kid).toBe(kid1);

    // An immediate rotation (e.g. a compromised key): new tokens carry the new kid at once.
    const immediate = await keys.rotate({ switchAfterMs: 0 });
    const token3 = await tokenFor(payment.id);
    expect(decodeHeader(token3).kid).toBe(immediate.kid);
    expect(immediate.kid).not.toBe(kid1);

    const after = await jwks();
    expect(after.keys.map((key) => key.kid)).toEqual(
      expect.arrayContaining([kid1, scheduled.kid, immediate.kid]),
    );
    const results = await joseVerify([
      { token: token1, jwks: after },
      { token: token2, jwks: after },
      { token: token3, jwks: after },
      { token: token1, jwksUrl: `${stack.apiUrl}/.well-known/jwks.json` },
      { token: token3, jwks: before }, // a verifier that never refreshes its copy cannot know the new key
    ]);
    expect(results.map((result) => result.ok)).toEqual([true, true, true, true, false]);
    expect(results[4]).toEqual({ ok: false, code: 'ERR_JWKS_NO_MATCHING_KEY' });
  });

  it('refuses tampered tokens', async () => {
    const payment = await createPayment({ shopper_redirection_url: 'https://shop.example.org/done' });
    const token = await tokenFor(payment.id);
    const other = await tokenFor(
      (await createPayment({ shopper_redirection_url: 'https://shop.example.org/x' })).id,
    );
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const set = await jwks();
    const otherKid = set.keys.find((key) => key.kid !== decodeHeader(token).kid)!.kid;
    const results = await joseVerify([
      { token, jwks: set },
      {
        token: `${header}.${encode({ ...claims, status: 'AUTHORIZED', amount: 1 })}.${signature}`,
        jwks: set,
      },
      { token: `${header}.${payload}.${other.split('.')[2]}`, jwks: set },
      { token: `${encode({ ...decodeHeader(token), kid: otherKid })}.${payload}.${signature}`, jwks: set },
      { token: `${encode({ alg: 'none' })}.${payload}.`, jwks: set },
    ]);
    expect(results[0].ok).toBe(true);
    for (const result of results.slice(1)) expect(result.ok).toBe(false);
    expect(results[1]).toEqual({ ok: false, code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });

  it('unpublishes a retired key once no token it signed can still be valid', async () => {
    const current = decodeHeader(
      await tokenFor((await createPayment({ shopper_redirection_url: 'https://a.example/' })).id),
    ).kid;
    const oldest = await stack.prisma.signingKey.findFirst({
      where: { id: { not: current } },
      orderBy: { createdAt: 'asc' },
    });
    expect(oldest).not.toBeNull();
    const old = oldest!.id;
    await stack.prisma.signingKey.update({
      where: { id: old },
      data: { retiredAt: new Date(Date.now() - RETIRED_KEY_PUBLISHED_MS - 1000) },
    });
    keys.invalidate();
    const kids = (await jwks()).keys.map((key) => key.kid);
    expect(kids).not.toContain(old);
    expect(kids).toContain(current);
  });

  it('serializes concurrent rotations: exactly one key is left without a retirement date', async () => {
    const generator = await readyKeyPairs(6);
    const clients = Array.from({ length: 6 }, () => createPrismaClient(stack.config.DATABASE_URL, 2));
    try {
      await Promise.all(clients.map((client) => client.$connect()));
      const rotations = await Promise.all(
        clients.map((client) =>
          rotateSigningKey(client, stack.cipher, { switchAfterMs: 0, generateKeyPair: generator() }),
        ),
      );
      expect(new Set(rotations.map((rotation) => rotation.kid)).size).toBe(6);
      expect(await stack.prisma.signingKey.count({ where: { retiredAt: null } })).toBe(1);
    } finally {
      await Promise.all(clients.map((client) => client.$disconnect()));
    }
    keys.invalidate();
    const token = await tokenFor((await createPayment({ shopper_redirection_url: 'https://a.example/' })).id);
    const newest = await stack.prisma.signingKey.findFirst({ where: { retiredAt: null } });
    expect(decodeHeader(token).kid).toBe(newest!.id);
  });
});
