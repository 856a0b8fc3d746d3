export * from './catalog';
export * from './adapter';
export * from './http';
export * from './partner';
export * from './partners.module';
export { PARTNERS } from './all-partners';
