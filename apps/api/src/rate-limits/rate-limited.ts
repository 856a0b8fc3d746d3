import type { Response } from 'express';
import { ApiError } from '../http/api-error';

/**
 * The 429 of every rate limit: problem+json `rate_limited` (the ProblemFilter writes it) and a
 * `Retry-After` header in seconds (RFC 9110 §10.2.3), set here on the response before it is thrown.
 */
export function rateLimited(response: Response, retryAfterSeconds: number): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  response.setHeader('Retry-After', String(seconds));
  return new ApiError(
    429,
    'rate_limited',
    'Too many requests',
    `Too many requests: try again in ${seconds} s.`,
    undefined,
    { retry_after_seconds: seconds },
  );
}
