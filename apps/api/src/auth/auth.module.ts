import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ClientCredentialsService } from './client-credentials.service';
import { ClientRevocations } from './client-revocation';
import { ScopesGuard } from './scopes.guard';
import { TokenController } from './token.controller';

/**
 * OAuth2 client credentials: `POST /oauth2/token`, and the global {@link ScopesGuard} that
 * protects every handler marked `@Scopes(...)` (handlers without it stay public).
 * Needs CoreModule (CONFIG, PrismaClient, REDIS).
 */
@Module({
  controllers: [TokenController],
  providers: [
    ClientCredentialsService,
    ClientRevocations,
    ScopesGuard,
    { provide: APP_GUARD, useExisting: ScopesGuard },
  ],
  exports: [ClientCredentialsService, ClientRevocations, ScopesGuard],
})
export class AuthModule {}
