import { Controller, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ClientCredentialsService } from './client-credentials.service';
import { OAuthError } from './oauth-error';
import { parseTokenRequest } from './token-request';
import { RateLimit } from '../rate-limits/rate-limit.decorator';
import { TokenFailureLimiter } from '../rate-limits/token-failures';
import { Public } from './decorators';

/**
 * `POST /oauth2/token`: the OAuth2 client credentials grant (RFC 6749 §4.4), with client
 * authentication by HTTP Basic or by `client_id` / `client_secret` in the body (form or JSON).
 *
 * Its errors follow RFC 6749 §5.2 (`{ error, error_description }`), NOT the problem+json used by
 * the rest of the API: OAuth2 client libraries expect them. Only failures outside the protocol
 * (unsupported media type, malformed JSON, internal errors) are answered as problem+json, and so
 * are rate limits (429 `rate_limited` with Retry-After): requests per IP, refused requests per IP
 * and per client id (brute force; see TokenFailureLimiter).
 */
@Public()
@Controller('oauth2')
export class TokenController {
  constructor(
    private readonly grants: ClientCredentialsService,
    private readonly failures: TokenFailureLimiter,
  ) {}

  @Post('token')
  @RateLimit('token')
  async token(@Req() req: Request, @Res() res: Response): Promise<void> {
    // RFC 6749 §5.1: responses carrying tokens (or credential errors) must not be cached.
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    let clientId: string | undefined;
    try {
      const request = parseTokenRequest(req.headers.authorization, req.body);
      clientId = request.credentials.clientId;
      await this.failures.refuseIfBlocked(req, res, clientId); // before the secret is hashed
      res.status(200).json(await this.grants.issue(request));
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      await this.failures.recordFailure(req, clientId);
      if (error.challenge) res.setHeader('WWW-Authenticate', error.challenge);
      res.status(error.status).json(error.body());
    }
  }
}
