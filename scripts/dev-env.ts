/**
 * Preloaded by the npm scripts of a checkout (`ts-node -r ./scripts/dev-env.ts …`): a local run is a
 * development run unless NODE_ENV says otherwise. Tender itself defaults to production, where
 * TOKEN_SIGNING_SECRET is required (libs/config).
 */
process.env.NODE_ENV ||= 'development';
