/** What the API and the CLI share about API clients: scopes, client secrets and revocation marks. */
export * from './scopes';
export * from './client-secret';
export * from './revocation-mark';
export * from './operators';
