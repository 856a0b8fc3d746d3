import type { Command } from '../command';

export const operatorCommands: Command[] = [
  {
    name: 'operator create',
    synopsis: '--email <email> --role <viewer|operator> [--password <password>]',
    description:
      'Create an operator console account: { operator_id, email, role, password? }; without --password a password is generated and printed only this once. viewer reads, operator also acts',
    required: ['email', 'role'],
    optional: ['password'],
    async run({ prisma, flags }) {
      const { createOperator } = await import('../operators');
      return createOperator(prisma(), { email: flags.email!, role: flags.role!, password: flags.password });
    },
  },
  {
    name: 'operator list',
    synopsis: '',
    description: 'List the operator console accounts (never their passwords)',
    required: [],
    async run({ prisma }) {
      const { listOperators } = await import('../operators');
      return listOperators(prisma());
    },
  },
];
