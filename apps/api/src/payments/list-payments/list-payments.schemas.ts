import { z } from 'zod';
import { AUTHORIZATION_STATUSES } from '@tender/domain';
import { PARTNERS } from '@tender/partners';
import { decodeCursor, MAX_SEARCH_LIMIT } from '@tender/persistence';

/** Stripe's default page size. */
export const DEFAULT_LIMIT = 10;

export const PARTNER_NAMES = PARTNERS.map((partner) => partner.name) as [string, ...string[]];

/** A query parameter that is a non-negative integer, written in decimal digits. */
const integer = (message: string) =>
  z
    .string()
    .regex(/^\d{1,15}$/, { message })
    .transform(Number);

/** RFC 3339 date-time with its offset (`Z` or `±hh:mm`). */
const timestamp = z.iso
  .datetime({ offset: true, message: 'must be an RFC 3339 date-time with offset, e.g. 2026-12-05T10:00:00Z' })
  .transform((value) => new Date(value));

/**
 * The query of GET /v2/payments. Every value arrives as text (a repeated `status` as a list); an
 * unknown parameter is refused like an unknown body field.
 */
export const listPaymentsQuery = z
  .strictObject({
    status: z
      .union([z.string(), z.array(z.string())])
      .transform((value) => [value].flat().flatMap((part) => part.split(',')))
      .pipe(z.array(z.enum(AUTHORIZATION_STATUSES)).min(1).max(AUTHORIZATION_STATUSES.length))
      .optional(),
    partner: z.enum(PARTNER_NAMES).optional(),
    created_from: timestamp.optional(),
    created_to: timestamp.optional(),
    order_reference: z.string().min(1).max(255).optional(),
    amount: integer('must be an integer amount in minor units').optional(),
    limit: integer('must be an integer from 1 to 100')
      .pipe(z.number().min(1).max(MAX_SEARCH_LIMIT))
      .default(DEFAULT_LIMIT),
    cursor: z
      .string()
      .refine(
        (cursor) => {
          try {
            decodeCursor(cursor);
            return true;
          } catch {
            return false;
          }
        },
        {
          message: 'is not a cursor of this list (use next_cursor as given)',
          params: { code: 'invalid_cursor' },
        },
      )
      .optional(),
  })
  .refine((q) => !q.created_from || !q.created_to || q.created_from < q.created_to, {
    path: ['created_to'],
    message: 'must be after created_from',
    params: { code: 'invalid_range' },
  });

export type ListPaymentsQuery = z.output<typeof listPaymentsQuery>;
