#!/usr/bin/env node
// Runs `prisma generate` offline. Prisma's CLI wants a schema engine binary even though
// `generate` never runs it; when none is installed we point it at a harmless executable.
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const fs = require('node:fs');

const root = path.resolve(__dirname, '..');
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
execFileSync(process.execPath, [cli, 'generate'], {
  cwd: root,
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
});
