import type { Command } from '../command';

export const demoCommands: Command[] = [
  {
    name: 'demo seed',
    synopsis: '',
    description:
      'Create (idempotently) the "demo" entity with partner accounts at the local simulators (CONNECT_SIM_URL, PURSE_SIM_URL, PAYTRONIX_SIM_URL)',
    required: [],
    async run({ prisma, cipher, env }) {
      const { seedDemo } = await import('../demo');
      return seedDemo(prisma(), cipher(), env);
    },
  },
];
