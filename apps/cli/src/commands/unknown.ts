import { userInfo } from 'node:os';
import type { CommandContext, Command } from '../command';
import { UsageError } from '../errors';

/** `--by`, else TENDER_OPERATOR, else the OS user. */
function operator({ flags, env }: CommandContext): string {
  if (flags.by) return flags.by.trim();
  if (env.TENDER_OPERATOR?.trim()) return env.TENDER_OPERATOR.trim();
  try {
    return userInfo().username;
  } catch {
    throw new UsageError('cannot tell who you are: give --by <name> (or set TENDER_OPERATOR)');
  }
}

async function outbox({ db, config }: CommandContext) {
  const { Outbox } = await import('@tender/infra');
  // Only written to, in the change's transaction: the worker's relay enqueues the jobs.
  return new Outbox(db(), config());
}

export const unknownCommands: Command[] = [
  {
    name: 'unknown list',
    synopsis: '[--entity <entity_id>] [--partner <partner>]',
    description:
      'List the outcomes the reconciler gave up on (authorizations and capture, void, refund legs still open), oldest first: [{ id, kind, payment_id, partner, amount, currency, status, reason, checks, unknown_since, age_seconds, … }]',
    required: [],
    optional: ['entity', 'partner'],
    async run({ db, flags }) {
      const { listOpenOutcomes } = await import('@tender/payments');
      return listOpenOutcomes(db(), { entityId: flags.entity, partner: flags.partner });
    },
  },
  {
    name: 'unknown retry',
    synopsis: '--id <id> [--reason <text>] [--by <operator>]',
    description:
      "Look a given-up outcome up again: the reconciler's schedule starts over and its lookup job goes through the outbox (the worker enqueues it within seconds); recorded in audit_log",
    required: ['id'],
    optional: ['reason', 'by'],
    async run(context) {
      const { retryOutcome } = await import('@tender/payments');
      const { flags } = context;
      return retryOutcome(context.db(), await outbox(context), flags.id!, {
        by: operator(context),
        reason: flags.reason,
      });
    },
  },
  {
    name: 'unknown resolve',
    synopsis:
      '--id <id> --as <succeeded|failed> --reason <text> [--by <operator>] [--partner-reference <partner id>]',
    description:
      "Settle a given-up outcome by hand, through the saga and merchant events as the worker would. succeeded: the partner holds or debited the money (authorization → AUTHORIZED, the payment goes on) or the capture, void or refund happened (→ SUCCESS); failed: nothing moved (→ FAILED). The reason is shown to the merchant; who and why go to audit_log. --partner-reference: the partner's id of the authorization, for its captures and voids",
    required: ['id', 'as', 'reason'],
    optional: ['by', 'partner-reference'],
    async run(context) {
      const { resolveOutcome } = await import('@tender/payments');
      const { flags } = context;
      return resolveOutcome(
        context.db(),
        await outbox(context),
        flags.id!,
        { as: flags.as as 'succeeded' | 'failed', partnerReference: flags['partner-reference'] },
        { by: operator(context), reason: flags.reason! },
      );
    },
  },
];
