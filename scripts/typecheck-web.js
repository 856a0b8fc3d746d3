#!/usr/bin/env node
// Type-checks each browser app (apps/<name>/tsconfig.json: DOM types, JSX), which the root
// tsconfig.json excludes because the server code must not see DOM globals.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const { WEB_BUNDLES } = require('./web-bundles.js');
let failed = false;
for (const name of Object.keys(WEB_BUNDLES)) {
  const project = path.join(root, 'apps', name, 'tsconfig.json');
  if (!fs.existsSync(project)) continue;
  try {
    execFileSync(process.execPath, [tsc, '-p', project, '--noEmit'], { cwd: root, stdio: 'inherit' });
  } catch {
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
