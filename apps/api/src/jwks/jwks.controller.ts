import { Controller, Get, Header } from '@nestjs/common';
import type { PublicJwk } from './jws';
import { SigningKeys } from './signing-keys';
import { Public } from '../auth/decorators';

/**
 * `GET /.well-known/jwks.json` (public): the RFC 7517 key set that verifies the
 * `purse-redirection-data` tokens. Verifiers pick the key by the token's `kid`; a new key appears
 * here before it signs anything and an old one stays until its tokens have expired.
 */
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeys) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): Promise<{ keys: PublicJwk[] }> {
    return this.keys.jwks();
  }
}
