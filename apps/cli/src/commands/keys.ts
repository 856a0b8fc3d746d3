import type { Command } from '../command';
import { CliError } from '../errors';

export const keysCommands: Command[] = [
  {
    name: 'keys reencrypt',
    synopsis: '',
    description:
      'Encrypt every secret at rest with the first key of DATA_ENCRYPTION_KEYS (values in clear included): { key_id, <column>: { checked, reencrypted, failed } }',
    required: [],
    async run({ db, cipher }) {
      const { failedCount, reencryptStoredSecrets } = await import('@tender/persistence');
      const result = await reencryptStoredSecrets(db(), cipher());
      const failed = failedCount(result);
      if (failed > 0) {
        throw new CliError(
          `${failed} value(s) could not be decrypted with DATA_ENCRYPTION_KEYS (a key dropped too early?): left as they are`,
          1,
          { result },
        );
      }
      return result;
    },
  },
];
