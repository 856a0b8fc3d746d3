/** @tender/domain: pure payment domain logic (no framework, no I/O). */
export * from './money';
export * from './money-format';
export * from './capabilities';
export * from './amounts';
export * from './allocation';
export * from './state-machines';
export * from './status-derivation';
export * from './payment-state';
export * from './saga';
export * from './unclear-outcomes';
