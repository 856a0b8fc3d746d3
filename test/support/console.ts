import { randomBytes } from 'node:crypto';
import { createOperator } from '../../apps/cli/src/operators';
import type { HttpResult, TestStack } from './stack';

/** An operator console account of a test (unique email), with the password to sign in. */
export async function newOperator(
  stack: TestStack,
  role: 'viewer' | 'operator',
): Promise<{ email: string; password: string; id: string }> {
  const email = `${role}-${randomBytes(6).toString('hex')}@console.test`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  const created = await createOperator(stack.prisma, { email, role, password });
  return { email, password, id: created.operator_id };
}

/** A signed-in console session: its cookie and CSRF token, and requests that send them. */
export class ConsoleSession {
  constructor(
    private readonly stack: TestStack,
    readonly cookie: string,
    readonly csrf: string,
  ) {}

  static async signIn(
    stack: TestStack,
    account: { email: string; password: string },
  ): Promise<ConsoleSession> {
    const response = await stack.request('POST', '/console/api/session', {
      body: { email: account.email, password: account.password },
    });
    if (response.status !== 201) throw new Error(`sign-in: ${response.status} ${response.text}`);
    const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0];
    return new ConsoleSession(stack, cookie, response.body.csrf_token);
  }

  get<T = any>(path: string): Promise<HttpResult<T>> {
    return this.stack.request('GET', `/console/api${path}`, { headers: { cookie: this.cookie } });
  }

  /** A state-changing request with the CSRF header (unless `csrf` says otherwise). */
  send<T = any>(
    method: 'POST' | 'DELETE',
    path: string,
    body: unknown = {},
    csrf: string | null = this.csrf,
  ): Promise<HttpResult<T>> {
    return this.stack.request(method, `/console/api${path}`, {
      body,
      headers: { cookie: this.cookie, ...(csrf === null ? {} : { 'x-csrf-token': csrf }) },
    });
  }
}
