import {
  generateCsrfToken,
  generateSessionToken,
  hashSessionToken,
  normalizeEmail,
  verifyOperatorPassword,
  type OperatorRole,
} from '@tender/auth';
import { newId, type PrismaClient } from '@tender/persistence';

/** The signed-in operator of a console request. */
export interface ConsoleOperator {
  id: string;
  email: string;
  role: OperatorRole;
  sessionId: string;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * Console sessions in `operator_session`: the cookie carries a random token, the table only its
 * sha256; sign-out deletes the row. Expired rows are refused on read, removed by the worker's
 * housekeeping (apps/worker/src/maintenance.ts) and, for the operator's own, at their next sign-in.
 */
export class OperatorSessions {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlSeconds: number,
  ) {}

  /** The new session's cookie token and operator, or undefined when the email or password is wrong. */
  async signIn(
    email: string,
    password: string,
  ): Promise<{ token: string; operator: ConsoleOperator } | undefined> {
    const normalized = normalizeEmail(email);
    const account = normalized
      ? await this.prisma.operatorAccount.findUnique({ where: { email: normalized } })
      : null;
    // Unknown emails cost a scrypt hash too: the timing does not tell which accounts exist.
    const valid = await verifyOperatorPassword(password, account?.passwordHash ?? null);
    if (!account || !valid || account.disabledAt) return undefined;
    const token = generateSessionToken();
    const now = new Date();
    const session = await this.prisma.operatorSession.create({
      data: {
        id: newId(),
        operatorId: account.id,
        tokenHash: hashSessionToken(token),
        csrfToken: generateCsrfToken(),
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.ttlSeconds * 1000),
      },
    });
    await this.prisma.operatorSession.deleteMany({
      where: { operatorId: account.id, expiresAt: { lt: now } },
    });
    return {
      token,
      operator: {
        id: account.id,
        email: account.email,
        role: account.role as OperatorRole,
        sessionId: session.id,
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt,
      },
    };
  }

  /** The live session of this cookie token, if any. */
  async find(token: string): Promise<ConsoleOperator | undefined> {
    if (token.length > 128) return undefined;
    const session = await this.prisma.operatorSession.findUnique({
      where: { tokenHash: hashSessionToken(token) },
      include: { operator: true },
    });
    if (!session || session.expiresAt <= new Date() || session.operator.disabledAt) return undefined;
    return {
      id: session.operator.id,
      email: session.operator.email,
      role: session.operator.role as OperatorRole,
      sessionId: session.id,
      csrfToken: session.csrfToken,
      expiresAt: session.expiresAt,
    };
  }

  async signOut(sessionId: string): Promise<void> {
    await this.prisma.operatorSession.deleteMany({ where: { id: sessionId } });
  }
}
