import { Module } from '@nestjs/common';
import { HealthController } from '../health/health.controller';
import { OpenApiController } from '../openapi/openapi.controller';

/** What operators and integrators read: health, readiness and the API reference. */
@Module({ controllers: [HealthController, OpenApiController] })
export class OpsModule {}
