// The browser bundles Tender serves (the shopper's drop-in, the operator console): one line each.
// `npm run build` writes them to dist/web/<name>.js (and .css when the app imports CSS); in development
// and tests, libs/web builds them in memory on first use. esbuild is a dev dependency: the production
// image only reads the files.
const path = require('node:path');
const { Buffer } = require('node:buffer');

const root = path.resolve(__dirname, '..');

/** name → entry point, relative to the repository root. */
const WEB_BUNDLES = {
  checkout: 'apps/checkout/src/tender.tsx',
  console: 'apps/console/src/main.tsx',
};

/** esbuild options shared by `npm run build` and the in-memory build, so both produce the same bytes. */
function esbuildOptions(name) {
  const entry = WEB_BUNDLES[name];
  if (!entry) throw new Error(`web bundle "${name}" is not listed in scripts/web-bundles.js`);
  return {
    absWorkingDir: root,
    entryPoints: [path.join(root, entry)],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  };
}

/** Builds one bundle in memory: { js, css } as Buffers (css is absent when the app imports none). */
async function buildWebBundle(name) {
  const esbuild = require('esbuild');
  const result = await esbuild.build({ ...esbuildOptions(name), write: false, outdir: '/out' });
  const file = (ext) => result.outputFiles.find((f) => f.path.endsWith(ext));
  const js = file('.js');
  const css = file('.css');
  return { js: Buffer.from(js.contents), css: css ? Buffer.from(css.contents) : undefined };
}

/** Writes every bundle to dir/<name>.js (and .css). Used by scripts/build.js. */
async function writeWebBundles(dir) {
  const fs = require('node:fs');
  fs.mkdirSync(dir, { recursive: true });
  for (const name of Object.keys(WEB_BUNDLES)) {
    const { js, css } = await buildWebBundle(name);
    fs.writeFileSync(path.join(dir, `${name}.js`), js);
    if (css) fs.writeFileSync(path.join(dir, `${name}.css`), css);
  }
  return Object.keys(WEB_BUNDLES);
}

module.exports = { WEB_BUNDLES, buildWebBundle, writeWebBundles };
