/**
 * Preloaded by the npm scripts of a checkout (`ts-node -r ./scripts/dev-env.ts …`): a local run is a
 * development run unless NODE_ENV says otherwise. Tender itself defaults to production, where
 * TOKEN_SIGNING_SECRET is required (libs/config). The Prisma client is generated here when missing
 * or older than the schema (there is no postinstall step: `npm ci --omit=dev` has no prisma CLI).
 */
process.env.NODE_ENV ||= 'development';
(require('./prisma-generate.js') as { generateIfStale: () => void }).generateIfStale();
