import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type Redis from 'ioredis';
import { z } from 'zod';
import type { TenderConfig } from '@tender/config';
import { ApiError } from '../http/api-error';
import { FailureCounters, type FailureCounter } from '../rate-limits/failure-counters';
import { rateLimited } from '../rate-limits/rate-limited';
import { clientIp } from '../rate-limits/throttlers';
import { parseRequest } from '../validation/parse';
import { clearedSessionCookie, requireJson, sessionCookie, sessionToken } from './console-auth';
import type { ConsoleOperator, OperatorSessions } from './operator-sessions';

const signInBody = z.strictObject({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(512),
});

/** What the page learns about its session: never the cookie's token. */
export function sessionView(operator: ConsoleOperator) {
  return {
    operator: { id: operator.id, email: operator.email, role: operator.role },
    csrf_token: operator.csrfToken,
    expires_at: operator.expiresAt.toISOString(),
  };
}

/**
 * `POST /console/api/session` (sign in), `GET` (who am I, and the CSRF token after a reload),
 * `DELETE` (sign out). Refused sign-ins are counted per email and per IP (Redis, shared by the API
 * processes); past either limit, 429 until the window ends, even with the right password.
 */
export class SignIn {
  private readonly failures: FailureCounters;
  private readonly secure: boolean;

  constructor(
    private readonly sessions: OperatorSessions,
    private readonly config: TenderConfig,
    redis: Redis,
  ) {
    this.failures = new FailureCounters(redis, new Logger('console'));
    this.secure = config.NODE_ENV === 'production';
  }

  /** The session's view; the cookie goes on the response. */
  async signIn(request: Request, response: Response, body: unknown): Promise<ReturnType<typeof sessionView>> {
    const notJson = requireJson(request);
    if (notJson) throw notJson;
    const { email, password } = parseRequest(signInBody, body);
    const counters = this.counters(request, email);
    const blockedForMs = await this.failures.blockedForMs(counters);
    if (blockedForMs > 0) throw rateLimited(response, blockedForMs / 1000);
    const signedIn = await this.sessions.signIn(email, password);
    if (!signedIn) {
      await this.failures.record(counters, this.config.RATE_LIMIT_WINDOW_SECONDS * 1000);
      throw new ApiError(401, 'invalid_credentials', 'Unauthorized', 'Wrong email or password.');
    }
    response.setHeader(
      'Set-Cookie',
      sessionCookie(signedIn.token, this.config.CONSOLE_SESSION_TTL_SECONDS, this.secure),
    );
    return sessionView(signedIn.operator);
  }

  /** Behind the session and CSRF guards: a forged sign-out is refused too. */
  async signOut(request: Request, operator: ConsoleOperator, response: Response): Promise<void> {
    if (sessionToken(request)) await this.sessions.signOut(operator.sessionId);
    response.setHeader('Set-Cookie', clearedSessionCookie(this.secure));
  }

  private counters(request: Request, email: string): FailureCounter[] {
    const prefix = `${this.config.QUEUE_PREFIX}:rate-limit:console-sign-in`;
    // Hashed: whatever is typed as an email never becomes a Redis key as such.
    const emailKey = createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
    return [
      {
        key: `${prefix}:ip:${clientIp(request)}`,
        limit: this.config.RATE_LIMIT_CONSOLE_SIGN_IN_FAILURES_PER_IP,
      },
      {
        key: `${prefix}:email:${emailKey}`,
        limit: this.config.RATE_LIMIT_CONSOLE_SIGN_IN_FAILURES_PER_EMAIL,
      },
    ];
  }
}
