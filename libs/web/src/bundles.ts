import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * A browser bundle Tender serves (scripts/web-bundles.js lists them), with what serving it needs:
 * a Subresource Integrity value and a strong ETag, both from the bytes.
 */
export interface WebBundle {
  name: string;
  js: Buffer;
  css?: Buffer;
  /** `sha384-…`, for `<script integrity>`. */
  integrity: string;
  /** Quoted strong ETag of the JS. */
  etag: string;
  /** First 12 hex digits of the JS's sha256: a cache-busting version for URLs. */
  version: string;
}

const cache = new Map<string, Promise<WebBundle>>();

/** Compiled code (dist/, plain node) reads dist/web/<name>.*; ts-node and Jest build in memory. */
const compiled = __filename.endsWith('.js');
const repositoryRoot = resolve(__dirname, '../../..');

export function loadWebBundle(name: string): Promise<WebBundle> {
  let bundle = cache.get(name);
  if (!bundle) {
    bundle = (compiled ? readBuilt(name) : buildInMemory(name)).then((files) => describe(name, files));
    bundle.catch(() => cache.delete(name));
    cache.set(name, bundle);
  }
  return bundle;
}

interface BundleFiles {
  js: Buffer;
  css?: Buffer;
}

function readBuilt(name: string): Promise<BundleFiles> {
  const dir = join(repositoryRoot, 'web');
  const css = join(dir, `${name}.css`);
  return Promise.resolve({
    js: readFileSync(join(dir, `${name}.js`)),
    css: existsSync(css) ? readFileSync(css) : undefined,
  });
}

function buildInMemory(name: string): Promise<BundleFiles> {
  // scripts/web-bundles.js requires esbuild, a dev dependency: only outside the compiled build.
  const webBundles = require(join(repositoryRoot, 'scripts', 'web-bundles.js')) as {
    buildWebBundle: (name: string) => Promise<BundleFiles>;
  };
  return webBundles.buildWebBundle(name);
}

function describe(name: string, { js, css }: BundleFiles): WebBundle {
  const sha256 = createHash('sha256').update(js).digest('hex');
  return {
    name,
    js,
    css,
    integrity: `sha384-${createHash('sha384').update(js).digest('base64')}`,
    etag: `"${sha256.slice(0, 32)}"`,
    version: sha256.slice(0, 12),
  };
}
