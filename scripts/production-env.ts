/**
 * Preloaded by the npm scripts that run the compiled build (`node -r ./dist/scripts/production-env.js …`):
 * production unless NODE_ENV says otherwise (Express and others read NODE_ENV themselves).
 */
process.env.NODE_ENV ||= 'production';
