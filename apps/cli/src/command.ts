import type { TenderConfig } from '@tender/config';
import type { DataCipher, Database, PrismaClient } from '@tender/persistence';

/** Every flag of every command; each command says which ones it accepts. */
export const FLAGS = {
  name: { type: 'string' },
  entity: { type: 'string' },
  scope: { type: 'string', multiple: true },
  partner: { type: 'string' },
  methods: { type: 'string', multiple: true },
  credentials: { type: 'string' },
  config: { type: 'string' },
  client: { type: 'string' },
  id: { type: 'string' },
  as: { type: 'string' },
  reason: { type: 'string' },
  by: { type: 'string' },
  'partner-reference': { type: 'string' },
  email: { type: 'string' },
  role: { type: 'string' },
  password: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type FlagName = Exclude<keyof typeof FLAGS, 'help'>;

export interface FlagValues {
  name?: string;
  entity?: string;
  scope?: string[];
  partner?: string;
  methods?: string[];
  credentials?: string;
  config?: string;
  client?: string;
  id?: string;
  as?: string;
  reason?: string;
  by?: string;
  'partner-reference'?: string;
  email?: string;
  role?: string;
  password?: string;
}

export interface CommandContext {
  flags: FlagValues;
  // Functions, not methods: commands destructure them from the context.
  /** Connects on first use (commands that fail on their arguments never touch the database). */
  prisma: () => PrismaClient;
  /** Plain SQL over `pg` (the payment paths), connected on first use too. */
  db: () => Database;
  config: () => TenderConfig;
  /** Encrypts and decrypts the secrets at rest with DATA_ENCRYPTION_KEYS. */
  cipher: () => DataCipher;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  /** `group action`, e.g. `entity create`. */
  name: string;
  /** Flags after the command name, e.g. `--name <name>`. */
  synopsis: string;
  description: string;
  required: FlagName[];
  optional?: FlagName[];
  run(context: CommandContext): Promise<unknown>;
}
