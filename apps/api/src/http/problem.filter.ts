import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiError, problemBody } from './api-error';
import { ReplayedResponse } from './replayed-response';

const CODE_BY_STATUS: Record<number, [string, string]> = {
  400: ['bad_request', 'Bad request'],
  401: ['unauthorized', 'Unauthorized'],
  403: ['forbidden', 'Forbidden'],
  404: ['not_found', 'Not found'],
  405: ['method_not_allowed', 'Method not allowed'],
  409: ['conflict', 'Conflict'],
  413: ['payload_too_large', 'Payload too large'],
  415: ['unsupported_media_type', 'Unsupported media type'],
  422: ['unprocessable', 'Unprocessable request'],
  429: ['rate_limited', 'Too many requests'],
  503: ['unavailable', 'Service unavailable'],
};

/** Errors thrown by the body parser (express / body-parser) before any controller runs. */
interface BodyParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

export function toApiError(exception: unknown): ApiError {
  if (exception instanceof ApiError) return exception;
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const [code, title] = CODE_BY_STATUS[status] ?? [status >= 500 ? 'internal_error' : 'error', 'Error'];
    const response = exception.getResponse();
    const detail =
      typeof response === 'object' && response && 'detail' in response
        ? String(response.detail)
        : exception.message;
    const extra =
      typeof response === 'object' && response && 'checks' in response
        ? { checks: response.checks }
        : undefined;
    return new ApiError(status, code, title, detail, undefined, extra);
  }
  const parserError = exception as BodyParserError;
  switch (parserError?.type) {
    case 'entity.parse.failed':
      return new ApiError(400, 'invalid_json', 'Malformed JSON', 'The request body is not valid JSON.', [
        { field: 'body', code: 'invalid_json', message: 'the body is not valid JSON' },
      ]);
    case 'entity.too.large':
      return new ApiError(
        413,
        'payload_too_large',
        'Payload too large',
        `The request body exceeds ${describeLimit(parserError.limit)}.`,
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(415, 'unsupported_media_type', 'Unsupported media type', parserError.message);
  }
  return new ApiError(500, 'internal_error', 'Internal error', 'An unexpected error occurred.');
}

/** Every error leaves as `application/problem+json`; 5xx are logged with their stack, never their request body. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    if (exception instanceof ReplayedResponse) {
      response.status(exception.status).type('application/problem+json').send(exception.body);
      return;
    }
    const error = toApiError(exception);
    if (error.status >= 500) {
      // Structured (pino): the error's safe fields only (never an HTTP client's config), no body.
      this.logger.error({
        msg: `${request.method} ${request.path} failed`,
        request_id: response.getHeader('x-request-id'),
        err: exception,
      });
    }
    sendProblem(response, error);
  }
}

export function sendProblem(response: Response, error: ApiError): void {
  if (response.headersSent) return;
  const requestId = response.getHeader('x-request-id') as string | undefined;
  response
    .status(error.status)
    .type('application/problem+json')
    .send(JSON.stringify(problemBody(error, requestId)));
}

/** body-parser's limit in bytes, as README says it: `1 MB`, `64 KB`. */
function describeLimit(bytes: number | undefined): string {
  if (!bytes) return 'the limit';
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KB`;
  return `${bytes} bytes`;
}
