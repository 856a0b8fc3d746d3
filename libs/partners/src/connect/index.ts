export { ConnectAdapter, type ConnectAdapterOptions } from './adapter';
export { createPaymentBody } from './payment-requests';
export { ConnectClient, connectCredentials, type ConnectCredentials } from './client';
export { toConnectReference, fromConnectReference, toConnectIdempotenceKey } from './references';
export { rfc1123, serverMetaInfo, v1HmacAuthorization, v1HmacSignature, v1HmacStringToSign } from './signing';
export { verifyConnectWebhook, webhookSignature } from './webhook';
