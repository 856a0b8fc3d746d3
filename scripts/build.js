#!/usr/bin/env node
// `npm run build`: a dist/ that plain `node` runs, without ts-node or any other dev dependency.
// Generates the Prisma client (compiled into dist with the rest), compiles with tsconfig.build.json,
// then rewrites the `@tender/*` path aliases in the emitted require() calls to relative paths:
// tsc leaves module specifiers as written, and nothing resolves tsconfig paths at run time.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { generate } = require('./prisma-generate.js');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');

/** `@tender/x` → dist/libs/x/src, from tsconfig.json's paths (the `/*` entries follow from the bare ones). */
const aliases = Object.entries(require('../tsconfig.json').compilerOptions.paths)
  .filter(([alias]) => !alias.endsWith('/*'))
  .map(([alias, [target]]) => [alias, path.join(dist, target)]);

function aliasTarget(specifier) {
  for (const [alias, target] of aliases) {
    if (specifier === alias) return target;
    if (specifier.startsWith(`${alias}/`)) return path.join(target, specifier.slice(alias.length + 1));
  }
  throw new Error(`build: no tsconfig path for "${specifier}"`);
}

function rewriteAliases(file) {
  const text = fs.readFileSync(file, 'utf8');
  const rewritten = text.replace(/\brequire\((['"])(@tender\/[^'"]+)\1\)/g, (_, quote, specifier) => {
    let relative = path.relative(path.dirname(file), aliasTarget(specifier)).split(path.sep).join('/');
    if (!relative.startsWith('.')) relative = `./${relative}`;
    return `require(${quote}${relative}${quote})`;
  });
  if (rewritten === text) return false;
  fs.writeFileSync(file, rewritten);
  return true;
}

function jsFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return jsFiles(full);
    return entry.name.endsWith('.js') ? [full] : [];
  });
}

fs.rmSync(dist, { recursive: true, force: true });
generate();
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
const files = jsFiles(dist);
const rewritten = files.filter(rewriteAliases).length;
console.log(`build: ${files.length} files in dist/, @tender/* aliases rewritten in ${rewritten}`);
// The browser bundles (libs/web reads dist/web/<name>.js in the compiled build).
require('./web-bundles.js')
  .writeWebBundles(path.join(dist, 'web'))
  .then((names) => console.log(`build: web bundles ${names.join(', ') || '(none)'} in dist/web/`))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
