export { PaytronixAdapter, type PaytronixAdapterOptions } from './adapter';
export { paytronixCredentials, type PaytronixCredentials } from './client';
