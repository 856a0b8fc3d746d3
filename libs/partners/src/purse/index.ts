export { PurseAdapter, type PurseAdapterOptions } from './adapter';
export { purseCredentials, type PurseCredentials } from './client';
export { verifyPurseWebhook, PURSE_SIGNATURE_HEADER, PURSE_WEBHOOK_TOLERANCE_SECONDS } from './webhook';
