export * from './core.module';
export * from './queues';
export * from './outbox';
export * from './payment-notifications';
export * from './webhook-jobs';
