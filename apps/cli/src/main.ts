/**
 * `npm run -s tender -- <command>`: provisioning of Tender (entities, API clients, partner
 * accounts, webhook secrets, the demo entity) and the outcomes the reconciler gave up on.
 * Results are JSON on stdout; errors are JSON `{ "error": … }` on stderr with exit code 2 (usage)
 * or 1 (anything else).
 *
 * It never migrates the database: run `npm run db:migrate` first.
 */
import { parseArgs } from 'node:util';
import type { Database, PrismaClient } from '@tender/persistence';
import { ConfigError, loadConfig, type TenderConfig } from '@tender/config';
import { FLAGS, type Command, type FlagName, type FlagValues } from './command';
import { clientCommands } from './commands/client';
import { demoCommands } from './commands/demo';
import { entityCommands } from './commands/entity';
import { keysCommands } from './commands/keys';
import { partnerAccountCommands } from './commands/partner-account';
import { operatorCommands } from './commands/operator';
import { unknownCommands } from './commands/unknown';
import { CliError, describeDatabaseError, lastLine, ProvisioningError, UsageError } from './errors';

export const COMMANDS: readonly Command[] = [
  ...entityCommands,
  ...clientCommands,
  ...partnerAccountCommands,
  ...unknownCommands,
  ...operatorCommands,
  ...demoCommands,
  ...keysCommands,
];

function commandUsage(command: Command): string {
  return `tender ${command.name}${command.synopsis ? ` ${command.synopsis}` : ''}`;
}

export function usage(): string {
  const lines = COMMANDS.map((command) => `  ${commandUsage(command)}\n      ${command.description}`);
  return [
    'Usage: npm run -s tender -- <command> [flags]',
    '',
    'Commands:',
    ...lines,
    '',
    'Output is JSON on stdout. Errors are JSON on stderr; exit code 2 for usage errors, 1 otherwise.',
    'The database is DATABASE_URL (migrate it first: npm run db:migrate).',
    '',
  ].join('\n');
}

interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

function parse(argv: string[]): { positionals: string[]; values: FlagValues & { help?: boolean } } {
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      options: FLAGS,
      allowPositionals: true,
      strict: true,
    });
    return { positionals, values };
  } catch (error) {
    throw new UsageError((error as Error).message, 'tender --help');
  }
}

function findCommand(positionals: string[]): Command {
  if (positionals.length === 0) throw new UsageError('missing command', 'tender --help');
  const [group, action] = positionals;
  const groupCommands = COMMANDS.filter((command) => command.name.startsWith(`${group} `));
  if (groupCommands.length === 0) throw new UsageError(`unknown command "${group}"`, 'tender --help');
  const command = groupCommands.find((c) => c.name === `${group} ${action}`);
  if (!command) {
    const known = groupCommands.map((c) => c.name.split(' ')[1]).join(', ');
    throw new UsageError(
      action
        ? `unknown command "${group} ${action}" (expected one of: ${known})`
        : `missing ${group} command (${known})`,
      'tender --help',
    );
  }
  if (positionals.length > 2)
    throw new UsageError(`unexpected argument "${positionals[2]}"`, commandUsage(command));
  return command;
}

function checkFlags(command: Command, values: FlagValues): void {
  const allowed = new Set<string>([...command.required, ...(command.optional ?? [])]);
  for (const flag of Object.keys(values) as FlagName[]) {
    if (!allowed.has(flag)) {
      throw new UsageError(`--${flag} is not an option of ${command.name}`, commandUsage(command));
    }
  }
  for (const flag of command.required) {
    const value = values[flag];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) {
      throw new UsageError(`missing --${flag}`, commandUsage(command));
    }
  }
  for (const [flag, value] of Object.entries(values)) {
    if ([value].flat().some((v) => typeof v === 'string' && v.trim() === '')) {
      throw new UsageError(`--${flag} must not be empty`, commandUsage(command));
    }
  }
}

/** Runs the CLI; returns the exit code. */
export async function run(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  let prisma: PrismaClient | undefined;
  let db: Database | undefined;
  let config: TenderConfig | undefined;
  let databaseUrl = '';
  const loadedConfig = () => {
    if (!config) {
      config = loadConfig(env);
      databaseUrl = config.DATABASE_URL;
    }
    return config;
  };
  const openDb = (): Database => {
    if (!db) {
      const { createDatabase } = require('@tender/persistence') as typeof import('@tender/persistence');
      db = createDatabase(loadedConfig().DATABASE_URL, 2);
    }
    return db;
  };
  let command: Command | undefined;
  try {
    const { positionals, values } = parse(argv);
    const { help, ...flags } = values;
    if (positionals.length === 0 && help) {
      io.stdout(usage());
      return 0;
    }
    command = findCommand(positionals);
    if (help) {
      io.stdout(`Usage: ${commandUsage(command)}\n\n${command.description}\n`);
      return 0;
    }
    checkFlags(command, flags);
    const result = await command.run({
      flags,
      env,
      // One pool (of 2) for both clients, opened on first use.
      prisma: () => {
        if (!prisma) {
          const { createPrismaClient } =
            require('@tender/persistence') as typeof import('@tender/persistence');
          prisma = createPrismaClient(openDb().pool);
        }
        return prisma;
      },
      db: openDb,
      config: loadedConfig,
      cipher: () => {
        const { DataCipher } = require('@tender/persistence') as typeof import('@tender/persistence');
        return new DataCipher(loadedConfig().DATA_ENCRYPTION_KEYS);
      },
    });
    io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (error) {
    const failure = toCliError(error, databaseUrl);
    const usageHint = failure.exitCode === 2 && command ? { usage: commandUsage(command) } : {};
    io.stderr(`${JSON.stringify({ error: failure.message, ...usageHint, ...failure.details })}\n`);
    return failure.exitCode;
  } finally {
    await prisma?.$disconnect().catch(() => undefined);
    await db?.end().catch(() => undefined);
  }
}

/** By name: `@tender/payments` is loaded only by the commands that need it. */
function isOutcomeActionError(error: unknown): error is { message: string; code: string } {
  return error instanceof Error && error.constructor.name === 'OutcomeActionError';
}

function toCliError(error: unknown, databaseUrl: string): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof ProvisioningError || isOutcomeActionError(error)) {
    return new CliError(error.message, error.code === 'invalid' ? 2 : 1);
  }
  if (error instanceof ConfigError) return new CliError(error.message.replace(/\n\s*/g, ' '));
  return (
    describeDatabaseError(error, databaseUrl) ??
    new CliError(error instanceof Error ? lastLine(error.message) : String(error))
  );
}

if (require.main === module) {
  run(process.argv.slice(2), process.env, {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }).then(
    (code) => {
      process.exitCode = code;
    },
    // run() turns every failure into an exit code; this is for a bug in that.
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : 'tender: unexpected failure');
      process.exitCode = 1;
    },
  );
}
