/** One invalid field of a request, named by its path in the body (`split[1].amount`). */
export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/**
 * An error answered as RFC 9457 `application/problem+json`, with a stable machine-readable
 * `code` (Stripe-style) and, for validation, the list of invalid fields.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail ?? title);
  }

  static validation(errors: FieldError[]): ApiError {
    const first = errors[0];
    const detail = first ? `${first.field}: ${first.message}` : 'The request is invalid.';
    return new ApiError(400, 'validation_error', 'Invalid request', detail, errors);
  }

  static notFound(what: string, id?: string): ApiError {
    return new ApiError(404, 'not_found', 'Not found', id ? `No ${what} with id ${id}.` : `No such ${what}.`);
  }

  static conflict(code: string, detail: string): ApiError {
    return new ApiError(409, code, 'Conflict', detail);
  }

  static unprocessable(code: string, detail: string, extra?: Record<string, unknown>): ApiError {
    return new ApiError(422, code, 'Unprocessable request', detail, undefined, extra);
  }
}

export const PROBLEM_TYPE_BASE = 'https://tender.dev/problems/';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  errors?: FieldError[];
  request_id?: string;
  [key: string]: unknown;
}

export function problemBody(error: ApiError, requestId?: string): ProblemBody {
  return {
    type: PROBLEM_TYPE_BASE + error.code,
    title: error.title,
    status: error.status,
    ...(error.detail ? { detail: error.detail } : {}),
    code: error.code,
    ...(error.errors ? { errors: error.errors } : {}),
    ...(error.extra ?? {}),
    ...(requestId ? { request_id: requestId } : {}),
  };
}
