export * from './logger';
export * from './nest-logger';
export * from './metrics';
export * from './partner-calls';
export * from './jobs';
export * from './shutdown';
export * from './request-timing';
export * from './readiness';
