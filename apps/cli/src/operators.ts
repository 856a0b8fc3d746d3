import {
  generateOperatorPassword,
  hashOperatorPassword,
  isOperatorRole,
  MIN_OPERATOR_PASSWORD_LENGTH,
  normalizeEmail,
  OPERATOR_ROLES,
  type OperatorRole,
} from '@tender/auth';
import type { PrismaClient } from '@tender/persistence';
import { newId } from '@tender/persistence/ids';
import { ProvisioningError } from './errors';

/** Operator console accounts (`tender operator …`): plain functions over a PrismaClient, for the CLI and tests. */

export interface CreatedOperator {
  operator_id: string;
  email: string;
  role: OperatorRole;
  /** Present only when it was generated: shown once, only its hash is stored. */
  password?: string;
}

export async function createOperator(
  prisma: PrismaClient,
  input: { email: string; role: string; password?: string },
): Promise<CreatedOperator> {
  const email = normalizeEmail(input.email);
  if (!email) throw new ProvisioningError('invalid', '--email must be an email address');
  if (!isOperatorRole(input.role)) {
    throw new ProvisioningError('invalid', `--role must be one of ${OPERATOR_ROLES.join(', ')}`);
  }
  if (input.password !== undefined && input.password.length < MIN_OPERATOR_PASSWORD_LENGTH) {
    throw new ProvisioningError(
      'invalid',
      `--password must be at least ${MIN_OPERATOR_PASSWORD_LENGTH} characters`,
    );
  }
  const generated = input.password === undefined ? generateOperatorPassword() : undefined;
  const passwordHash = await hashOperatorPassword(input.password ?? generated!);
  try {
    const account = await prisma.operatorAccount.create({
      data: { id: newId(), email, role: input.role, passwordHash },
    });
    return {
      operator_id: account.id,
      email,
      role: input.role,
      ...(generated ? { password: generated } : {}),
    };
  } catch (error) {
    if ((error as { code?: string } | null)?.code === 'P2002') {
      throw new ProvisioningError('conflict', `an operator with email ${email} already exists`);
    }
    throw error;
  }
}

export interface OperatorSummary {
  operator_id: string;
  email: string;
  role: string;
  created_at: string;
}

export async function listOperators(prisma: PrismaClient): Promise<OperatorSummary[]> {
  const accounts = await prisma.operatorAccount.findMany({ orderBy: { createdAt: 'asc' } });
  return accounts.map((a) => ({
    operator_id: a.id,
    email: a.email,
    role: a.role,
    created_at: a.createdAt.toISOString(),
  }));
}
