import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Outbox, partnerJob, PaymentNotifications } from '@tender/infra';
import {
  countTendersAwaitingShopper,
  Database,
  listTendersAwaitingShopper,
  loadPaymentForReturn,
} from '@tender/persistence';
import { ApiError } from '../http/api-error';
import { uuidParam } from '../validation/params';
import { RedirectionTokens, redirectionUrl } from './redirection-token';
import { Public } from '../auth/decorators';

const RETURN_WAIT_MS = 3000;

const STATUS_TEXT: Record<string, string> = {
  AUTHORIZED: 'Your payment was accepted.',
  PENDING: 'Your payment is being processed.',
  PENDING_FRAUD_APPROVAL: 'Your payment is being reviewed.',
  REFUSED: 'Your payment was refused.',
  CANCELLED: 'Your payment was cancelled.',
};

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The page of a payment that has nowhere to send the shopper: its status, nothing else. */
export function statusPage(status: string): string {
  const text = STATUS_TEXT[status] ?? 'Your payment is being processed.';
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1"><title>Payment</title>' +
    '<style>body{font:16px/1.5 system-ui,sans-serif;display:flex;min-height:100vh;margin:0;align-items:center;' +
    'justify-content:center;color:#1d2330}main{text-align:center}small{color:#5b6478}</style></head>' +
    `<body><main><h1>${escapeHtml(text)}</h1><p><small>Status: ${escapeHtml(status)}</small></p>` +
    '<p>You can close this page.</p></main></body></html>'
  );
}

/**
 * `GET /v2/payments/{id}/return` (public): where hosted payment pages send the shopper back. It
 * shows nothing about the payment beyond its status: it answers 303 to the payment's
 * `shopper_redirection_url` with a fresh `purse-redirection-data` token, or (no URL) a tiny page
 * with the status. Never cached, and no Referer leaks the token to third parties.
 */
@Public()
@Controller('v2/payments')
export class RedirectionController {
  constructor(
    private readonly db: Database,
    private readonly tokens: RedirectionTokens,
    private readonly outbox: Outbox,
    private readonly notifications: PaymentNotifications,
  ) {}

  /** The shopper is back from a hosted page: ask the partner now rather than at the next scheduled check. */
  private async settleHostedTenders(paymentId: string): Promise<void> {
    const waiting = await listTendersAwaitingShopper(this.db, paymentId);
    if (waiting.length === 0) return;
    await Promise.all(
      waiting.map(({ id, partner }) => {
        const job = partnerJob(partner, { kind: 'reconcile-authorization', tenderId: id, readOnly: true });
        return this.outbox
          .queue(job.queue)
          .add(job.name, job.data, { jobId: `${job.jobId}-return-${Date.now()}` });
      }),
    );
    await this.notifications.waitFor(
      paymentId,
      async () => ((await countTendersAwaitingShopper(this.db, paymentId)) === 0 ? true : undefined),
      RETURN_WAIT_MS,
    );
  }

  @Get(':id/return')
  async return(@Param('id') id: string, @Res() res: Response): Promise<void> {
    const paymentId = uuidParam(id, 'payment');
    await this.settleHostedTenders(paymentId);
    const payment = await loadPaymentForReturn(this.db, paymentId);
    if (!payment) throw ApiError.notFound('payment', paymentId);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!payment.shopperRedirectionUrl) {
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      res.status(200).type('html').send(statusPage(payment.status));
      return;
    }
    const token = await this.tokens.issue(payment);
    // location() percent-encodes what a header cannot carry (and nothing already encoded); no body.
    res.location(redirectionUrl(payment.shopperRedirectionUrl, token)).status(303).end();
  }
}
