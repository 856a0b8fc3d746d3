export { RateLimitsModule } from './rate-limits.module';
export { RateLimit, type RateLimitKind } from './rate-limit.decorator';
export { TokenFailureLimiter } from './token-failures';
