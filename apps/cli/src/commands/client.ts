import type { Command } from '../command';

export const clientCommands: Command[] = [
  {
    name: 'client create',
    synopsis: '--entity <entity_id> --scope <front_office|back_office> [--scope …] [--name <label>]',
    description:
      'Create an OAuth2 client (scopes repeated or comma-separated): { client_id, client_secret, entity_id, scopes }; the secret is shown only once',
    required: ['entity', 'scope'],
    optional: ['name'],
    async run({ prisma, flags }) {
      const { createClient } = await import('../provisioning');
      return createClient(prisma(), flags.entity!, flags.scope!, { name: flags.name });
    },
  },
  {
    name: 'client list',
    synopsis: '--entity <entity_id>',
    description: "List an entity's clients (never their secrets)",
    required: ['entity'],
    async run({ prisma, flags }) {
      const { listClients } = await import('../provisioning');
      return listClients(prisma(), flags.entity!);
    },
  },
  {
    name: 'client revoke',
    synopsis: '--client <client_id>',
    description:
      'Revoke a client: no new tokens, and the API refuses its tokens within 5 s (Redis mark, Postgres fallback)',
    required: ['client'],
    async run({ prisma, flags, config }) {
      const { revokeClient } = await import('../provisioning');
      const { default: Redis } = await import('ioredis');
      const { REDIS_URL, QUEUE_PREFIX } = config();
      // Fails fast when Redis is down: Postgres is what matters, the API falls back to it.
      const redis = new Redis(REDIS_URL, {
        lazyConnect: true,
        connectTimeout: 2000,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      redis.on('error', () => undefined);
      try {
        return await revokeClient(prisma(), flags.client!, { redis, prefix: QUEUE_PREFIX });
      } finally {
        redis.disconnect();
      }
    },
  },
];
