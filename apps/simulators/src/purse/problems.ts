import type { Response } from 'express';

/**
 * Error bodies. The seed names reason phrases only ("Bad request", "Unauthorized", "Not found",
 * "Conflict - Idempotency violation"…) and never shows an error body, so the simulator answers
 * RFC 9457 problem details (`Content-Type: application/problem+json`):
 *
 *   { "type": "urn:purse:problem:<slug>", "title": "<reason phrase>", "status": <code>, "detail": "...",
 *     "invalid_params"?: [{ "name": "split[0].amount", "reason": "..." }] }
 *
 * `type` is a stable machine-readable slug (see PROBLEM_TYPES); `title` is the seed's reason phrase.
 * Only status codes the seed lists are answered (400, 401, 403, 404, 409, 500, 502): a request the
 * books cannot honour (amount not available, payment not authorized) is a 400 "Bad request".
 */
export interface InvalidParam {
  name: string;
  reason: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  invalid_params?: InvalidParam[];
}

/** What a handler answers; kept as data so an idempotent replay can send the very same answer again. */
export interface SimResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export const PROBLEM_TYPES = {
  invalidRequest: { slug: 'invalid-request', status: 400, title: 'Bad request' },
  invalidToken: { slug: 'invalid-token', status: 401, title: 'Unauthorized' },
  forbidden: { slug: 'forbidden', status: 403, title: 'Forbidden' },
  notFound: { slug: 'not-found', status: 404, title: 'Not found' },
  idempotencyViolation: {
    slug: 'idempotency-violation',
    status: 409,
    title: 'Conflict - Idempotency violation',
  },
  amountNotAvailable: { slug: 'amount-not-available', status: 400, title: 'Bad request' },
  paymentNotAuthorized: { slug: 'payment-not-authorized', status: 400, title: 'Bad request' },
  badGateway: { slug: 'bad-gateway', status: 502, title: 'Bad Gateway' },
} as const;

export type ProblemKind = keyof typeof PROBLEM_TYPES;

export function problem(kind: ProblemKind, detail: string, invalidParams?: InvalidParam[]): SimResponse {
  const { slug, status, title } = PROBLEM_TYPES[kind];
  const body: Problem = { type: `urn:purse:problem:${slug}`, title, status, detail };
  if (invalidParams && invalidParams.length > 0) body.invalid_params = invalidParams;
  return { status, body, headers: { 'Content-Type': 'application/problem+json' } };
}

export function send(res: Response, answer: SimResponse): void {
  for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
  // res.json would overwrite a problem+json content type, so serialize by hand.
  if (!res.getHeader('Content-Type')) res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.status(answer.status).send(JSON.stringify(answer.body));
}
