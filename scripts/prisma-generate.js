#!/usr/bin/env node
// Runs `prisma generate` offline. Prisma's CLI wants a schema engine binary even though
// `generate` never runs it; when none is installed we point it at a harmless executable.
//
// `node scripts/prisma-generate.js` always generates (the build does). With `--if-stale`, or through
// generateIfStale() (scripts/dev-env.ts, jest.config.js), it generates only when the client is missing
// or older than prisma/schema.prisma: the dev scripts of a fresh clone work without a postinstall step.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..');
const schema = path.join(root, 'prisma', 'schema.prisma');
const generatedClient = path.join(root, 'libs', 'persistence', 'src', 'generated', 'prisma', 'client.ts');

function generate() {
  const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
  if (!env.PRISMA_SCHEMA_ENGINE_BINARY) {
    const placeholder = process.platform === 'win32' ? process.execPath : '/bin/true';
    env.PRISMA_SCHEMA_ENGINE_BINARY = fs.existsSync(placeholder) ? placeholder : process.execPath;
  }
  const cli = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
  if (!fs.existsSync(cli)) {
    console.error('prisma-generate: the prisma package is not installed; run `npm install`.');
    process.exit(1);
  }
  // stdout goes to stderr: `npm run -s tender` prints JSON on stdout, and may generate first.
  execFileSync(process.execPath, [cli, 'generate'], { cwd: root, env, stdio: ['ignore', 2, 'inherit'] });
}

function isStale() {
  if (!fs.existsSync(generatedClient)) return true;
  return fs.statSync(generatedClient).mtimeMs < fs.statSync(schema).mtimeMs;
}

function generateIfStale() {
  if (isStale()) generate();
}

module.exports = { generate, generateIfStale };

if (require.main === module) {
  if (process.argv.includes('--if-stale')) generateIfStale();
  else generate();
}
