import { z } from 'zod';
import {
  AMOUNT_DESCRIPTION,
  captureMode,
  CURRENCY_DESCRIPTION,
  currencyCode,
  ENTITY_ID_DESCRIPTION,
  customer,
  httpUrl,
  minorAmount,
  order,
  threeDsOptions,
  uuid,
  webhookConfig,
} from '../validation/fields';

/** `allow_future_usage: true` needs a challenge requested by the merchant (Purse v2 rule for MIT). */
export function requireChallengeForFutureUsage(
  body: { allow_future_usage?: boolean; three_ds_authentication_options?: { challenge_indicator: string } },
  ctx: z.RefinementCtx,
): void {
  if (
    body.allow_future_usage &&
    body.three_ds_authentication_options?.challenge_indicator !== 'CHALLENGE_REQUESTED_BY_MERCHANT'
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['three_ds_authentication_options', 'challenge_indicator'],
      message: 'must be CHALLENGE_REQUESTED_BY_MERCHANT when allow_future_usage is true',
      params: { code: 'challenge_required_for_future_usage' },
    });
  }
}

export const createClientSessionBody = z
  .strictObject({
    entity_id: uuid.meta({ description: ENTITY_ID_DESCRIPTION }).optional(),
    amount: minorAmount.meta({ description: AMOUNT_DESCRIPTION }),
    currency: currencyCode.meta({ description: CURRENCY_DESCRIPTION }),
    capture_mode: captureMode.default('MANUAL'),
    integration_mode: z.enum(['EMBEDDED', 'HOSTED_PAGE']).default('EMBEDDED'),
    allow_future_usage: z.boolean().default(false),
    shopper_redirection_url: httpUrl
      .meta({ description: 'Absolute http(s) URL; redirection uses HTTP GET.' })
      .optional(),
    order: order.optional(),
    customer: customer.optional(),
    three_ds_authentication_options: threeDsOptions.optional(),
    webhook: webhookConfig.optional(),
  })
  .superRefine(requireChallengeForFutureUsage);

export type CreateClientSessionBody = z.output<typeof createClientSessionBody>;

/** Purse's abort example carries `{"status": "ABORTED_BY_MERCHANT"}`; accept it, or an empty body. */
export const abortClientSessionBody = z.strictObject({ status: z.literal('ABORTED_BY_MERCHANT').optional() });
