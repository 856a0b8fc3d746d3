export * from './prisma';
export * from './ids';
export * from './sql';
export * from './encryption';
export * from './stored-secrets';
export * from './reencrypt';
export * from './payments/idempotency-keys';
export * from './payments/console-reads';
