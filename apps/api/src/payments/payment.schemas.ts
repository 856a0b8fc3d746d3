import { z } from 'zod';
import {
  AMOUNT_DESCRIPTION,
  browser,
  captureMode,
  CURRENCY_DESCRIPTION,
  currencyCode,
  customer,
  ENTITY_ID_DESCRIPTION,
  httpUrl,
  minorAmount,
  order,
  threeDsOptions,
  uuid,
  webhookConfig,
} from '../validation/fields';
import { requireChallengeForFutureUsage } from '../client-sessions/client-session.schemas';

/** A new tender (partner + method + instrument) or a merchant-initiated reuse of a parent payment's credential. */
export const newTender = z
  .strictObject({
    partner: z.string().min(1).max(64),
    method: z.string().min(1).max(64),
    amount: minorAmount,
    payment_method: z
      .record(z.string(), z.unknown())
      .meta({ description: 'The instrument, as the partner method expects it (card token, gift card…).' })
      .optional(),
  })
  .meta({ description: 'A new tender: a payment method at a partner, with its instrument.' });

export const reusedTender = z
  .strictObject({
    parent_payment_id: uuid,
    amount: minorAmount,
  })
  .meta({ description: 'A merchant-initiated payment reusing the credential stored by a parent payment.' });

/** The form is chosen by the presence of `parent_payment_id`, so errors name the fields of that form. */
export const splitEntry = z
  .unknown()
  .transform((value, ctx): z.output<typeof newTender> | z.output<typeof reusedTender> => {
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (!isObject) {
      ctx.addIssue({ code: 'custom', message: 'must be an object', params: { code: 'invalid_type' } });
      return z.NEVER;
    }
    const form = 'parent_payment_id' in value ? reusedTender : newTender;
    const result = form.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) ctx.addIssue(issue as Parameters<typeof ctx.addIssue>[0]);
      return z.NEVER;
    }
    return result.data;
  });

export const MAX_TENDERS = 10;

export const createPaymentBody = z
  .strictObject({
    entity_id: uuid.meta({ description: ENTITY_ID_DESCRIPTION }).optional(),
    client_session_id: uuid.meta({ description: 'The client session this payment completes.' }).optional(),
    amount: minorAmount.meta({ description: AMOUNT_DESCRIPTION }),
    currency: currencyCode.meta({ description: CURRENCY_DESCRIPTION }),
    capture_mode: captureMode.default('MANUAL'),
    allow_future_usage: z.boolean().default(false),
    order_reference: z.string().max(255).optional(),
    order: order.optional(),
    customer: customer.optional(),
    browser: browser.optional(),
    shopper_redirection_url: httpUrl
      .meta({
        description:
          'Absolute http(s) URL where the shopper is sent back, with a `purse-redirection-data` token.',
      })
      .optional(),
    three_ds_authentication_options: threeDsOptions.optional(),
    webhook: webhookConfig.optional(),
    split: z
      .array(splitEntry)
      .min(1, 'must have at least one tender')
      .max(MAX_TENDERS, `must have at most ${MAX_TENDERS} tenders`)
      .meta({ description: 'The tenders; their amounts add up to `amount`.' }),
  })
  .superRefine(requireChallengeForFutureUsage)
  .superRefine((body, ctx) => {
    const total = body.split.reduce((sum, tender) => sum + tender.amount, 0);
    if (total !== body.amount) {
      ctx.addIssue({
        code: 'custom',
        path: ['split'],
        message: `amounts must add up to the payment amount ${body.amount} (they add up to ${total})`,
        params: { code: 'split_amount_mismatch' },
      });
    }
  });

export type CreatePaymentBody = z.output<typeof createPaymentBody>;
export type SplitEntry = z.output<typeof splitEntry>;

/** Body of captures, voids and refunds: `amount` defaults to everything available. */
export const operationBody = z.strictObject({
  amount: minorAmount
    .meta({ description: 'Amount to process, in minor units. Default: everything available.' })
    .optional(),
  merchant_reference: z
    .string()
    .max(255)
    .meta({ description: 'Reference of the operation in the merchant system.' })
    .optional(),
  order: order.optional(),
});

export type OperationBody = z.output<typeof operationBody>;
