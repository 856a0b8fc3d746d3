import { createHmac, randomUUID } from 'node:crypto';
import type { PaymentResponse, RefundResponse, WebhooksEvent } from 'connect-sdk-nodejs/lib/v1/model/domain';
import type { ConnectLogger } from './options';

/**
 * Connect webhooks (digest §8): a POST of a JSON `WebhooksEvent`
 *   { apiVersion: 'v1', id, created: 'yyyy-MM-ddTHH:mm:ss.SSS+0000', merchantId, type, payment | refund }
 * with `type` = `payment.<status lower-cased>` / `refund.<status lower-cased>` (payment.pending_approval,
 * payment.capture_requested, payment.captured, payment.cancelled, payment.rejected, ...,
 * refund.refund_requested, refund.refunded, ...), signed with
 *   X-GCS-Signature: Base64(HMAC-SHA256(webhook secret, raw body bytes))
 *   X-GCS-KeyId:     the webhook key id.
 * Delivery is fire and forget (one attempt, short timeout, no ordering guarantee, as with Connect):
 * a failure is logged and recorded in the delivery log, never felt by the API call that caused it.
 */

export function signWebhookBody(body: string | Buffer, secret: string): string {
  return createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('base64');
}

/** `created` format of the event structure page: yyyy-MM-dd'T'HH:mm:ss.SSSZ, here always UTC (+0000). */
export function webhookCreatedTimestamp(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

export function paymentEvent(merchantId: string, payment: PaymentResponse, now: Date): WebhooksEvent {
  return {
    apiVersion: 'v1',
    id: randomUUID(),
    created: webhookCreatedTimestamp(now),
    merchantId,
    type: `payment.${String(payment.status).toLowerCase()}`,
    payment,
  };
}

export function refundEvent(merchantId: string, refund: RefundResponse, now: Date): WebhooksEvent {
  return {
    apiVersion: 'v1',
    id: randomUUID(),
    created: webhookCreatedTimestamp(now),
    merchantId,
    type: `refund.${String(refund.status).toLowerCase()}`,
    refund,
  };
}

export interface WebhookDelivery {
  eventId: string;
  type: string;
  objectId: string;
  at: string;
  /** HTTP status of the receiver's answer; undefined when the POST failed. */
  status?: number;
  error?: string;
}

export interface WebhookSenderConfig {
  url?: string;
  keyId: string;
  secret: string;
  timeoutMs: number;
  logger: ConnectLogger;
  now: () => Date;
}

const MAX_LOG = 500;

export class ConnectWebhookSender {
  private readonly inFlight = new Set<Promise<void>>();
  private log: WebhookDelivery[] = [];

  constructor(private readonly config: WebhookSenderConfig) {}

  get enabled(): boolean {
    return Boolean(this.config.url);
  }

  deliveries(): WebhookDelivery[] {
    return [...this.log];
  }

  clear(): void {
    this.log = [];
  }

  /** Posts the event in the background. */
  send(event: WebhooksEvent): void {
    if (!this.config.url) return;
    const delivery = this.post(this.config.url, event).finally(() => this.inFlight.delete(delivery));
    this.inFlight.add(delivery);
  }

  /** Resolves once every delivery started so far has ended (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /**
   * The endpoint verification handshake: GET the webhook URL with `X-GCS-Webhooks-Endpoint-Verification`;
   * a correct endpoint answers 200 text/plain with that value as the body.
   */
  async verifyEndpoint(): Promise<{ verified: boolean; status?: number; error?: string }> {
    if (!this.config.url) return { verified: false, error: 'no webhook URL configured' };
    const challenge = randomUUID();
    try {
      const response = await fetch(this.config.url, {
        method: 'GET',
        headers: { 'X-GCS-Webhooks-Endpoint-Verification': challenge },
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      const text = await response.text();
      const verified = response.status === 200 && text.trim() === challenge;
      return verified
        ? { verified, status: response.status }
        : { verified, status: response.status, error: 'endpoint did not echo the verification value' };
    } catch (error) {
      return { verified: false, error: (error as Error).message };
    }
  }

  private async post(url: string, event: WebhooksEvent): Promise<void> {
    const body = JSON.stringify(event);
    const record: WebhookDelivery = {
      eventId: String(event.id),
      type: String(event.type),
      objectId: String(event.payment?.id ?? event.refund?.id ?? ''),
      at: this.config.now().toISOString(),
    };
    this.log.push(record);
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'X-GCS-Signature': signWebhookBody(body, this.config.secret),
          'X-GCS-KeyId': this.config.keyId,
        },
        body,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      record.status = response.status;
      await response.arrayBuffer().catch(() => undefined);
      if (response.status < 200 || response.status >= 300) {
        this.config.logger(
          'warn',
          `webhook ${record.type} ${record.eventId} answered HTTP ${response.status}`,
        );
      }
    } catch (error) {
      record.error = (error as Error).message;
      this.config.logger(
        'warn',
        `webhook ${record.type} ${record.eventId} to ${url} failed: ${record.error}`,
      );
    }
  }
}
