import { readFileSync } from 'node:fs';
import type { Command } from '../command';
import { UsageError } from '../errors';

/** A JSON object given inline or as `@path/to/file.json` (keeps secrets out of the shell history). */
function jsonObjectFlag(flag: string, value: string): Record<string, unknown> {
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (error) {
      throw new UsageError(`--${flag}: cannot read ${value.slice(1)}: ${(error as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError(`--${flag} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`--${flag} must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

export const partnerAccountCommands: Command[] = [
  {
    name: 'partner-account set',
    synopsis:
      "--entity <entity_id> --partner <partner> --methods <method,…> --credentials '<json>'|@file [--config '<json>'|@file]",
    description: "Create or replace the entity's account at a partner (credentials are printed masked)",
    required: ['entity', 'partner', 'methods', 'credentials'],
    optional: ['config'],
    async run({ prisma, cipher, flags }) {
      const methods = flags
        .methods!.flatMap((value) => value.split(','))
        .map((m) => m.trim())
        .filter(Boolean);
      const credentials = jsonObjectFlag('credentials', flags.credentials!);
      const config = flags.config === undefined ? undefined : jsonObjectFlag('config', flags.config);
      const { setPartnerAccount } = await import('../provisioning');
      return setPartnerAccount(prisma(), cipher(), flags.entity!, flags.partner!, {
        methods,
        credentials,
        config,
      });
    },
  },
  {
    name: 'partner-account list',
    synopsis: '--entity <entity_id>',
    description: "List the entity's partner accounts (credentials masked)",
    required: ['entity'],
    async run({ prisma, flags }) {
      const { listPartnerAccounts } = await import('../provisioning');
      return listPartnerAccounts(prisma(), flags.entity!);
    },
  },
];
