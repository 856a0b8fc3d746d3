import type { Command } from '../command';

export const entityCommands: Command[] = [
  {
    name: 'entity list',
    synopsis: '',
    description: 'List the entities: [{ entity_id, name, created_at }]',
    required: [],
    async run({ prisma }) {
      const { listEntities } = await import('../provisioning');
      return listEntities(prisma());
    },
  },
  {
    name: 'entity create',
    synopsis: '--name <name>',
    description: 'Create an entity (merchant) and its webhook secret: { entity_id, name, webhook_secret }',
    required: ['name'],
    async run({ prisma, cipher, flags }) {
      const { createEntity } = await import('../provisioning');
      return createEntity(prisma(), cipher(), flags.name!);
    },
  },
  {
    name: 'entity webhook-secret',
    synopsis: '--entity <entity_id>',
    description: 'Show the active webhook signing secrets: { entity_id, webhook_secret, previous_secrets? }',
    required: ['entity'],
    async run({ prisma, cipher, flags }) {
      const { getWebhookSecret } = await import('../provisioning');
      return getWebhookSecret(prisma(), cipher(), flags.entity!);
    },
  },
  {
    name: 'entity rotate-webhook-secret',
    synopsis: '--entity <entity_id>',
    description: 'Create a new webhook secret; the previous ones stay valid 24 hours',
    required: ['entity'],
    async run({ prisma, cipher, flags }) {
      const { rotateWebhookSecret } = await import('../provisioning');
      return rotateWebhookSecret(prisma(), cipher(), flags.entity!);
    },
  },
];
