import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The no-unsafe-* rules, off where code reads untyped JSON on purpose (every access would need a cast). */
const LOOSE_JSON = {
  '@typescript-eslint/no-unsafe-argument': 'off',
  '@typescript-eslint/no-unsafe-assignment': 'off',
  '@typescript-eslint/no-unsafe-call': 'off',
  '@typescript-eslint/no-unsafe-member-access': 'off',
  '@typescript-eslint/no-unsafe-return': 'off',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'coverage/**',
      'libs/persistence/src/generated/**',
      'libs/client/src/generated/**',
      'bench/results/**',
    ],
  },
  js.configs.recommended,
  // Type-aware: among others no-floating-promises and no-misused-promises (a promise nobody awaits
  // or catches, an async callback where a void one is expected).
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // Type-aware rules: each .ts file is checked with the types of tsconfig.json.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Plain JavaScript (configs, scripts) is outside tsconfig.json: no type information.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // Tests (and the production smoke test) read loosely typed JSON answers.
    files: ['test/**/*.ts', '**/*.spec.ts', 'scripts/smoke-production.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', ...LOOSE_JSON },
  },
  {
    // The benchmark reads its own JSON results.
    files: ['bench/**/*.ts'],
    rules: LOOSE_JSON,
  },
);
