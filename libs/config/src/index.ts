export * from './config';
export * from './data-keys';
