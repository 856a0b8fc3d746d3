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
    description: 'Revoke a client: no new tokens (tokens already issued stay valid until they expire)',
    required: ['client'],
    async run({ prisma, flags }) {
      const { revokeClient } = await import('../provisioning');
      return revokeClient(prisma(), flags.client!);
    },
  },
];
