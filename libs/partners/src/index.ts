export * from './catalog';
export * from './adapter';
export * from './http';
