/**
 * End-to-end suites are not rate limited unless they ask to be: every suite builds its config from
 * process.env (TestStack, the auth suite, child processes), and they all share one Redis and the
 * client IP 127.0.0.1. test/security/rate-limits.e2e-spec.ts sets its own small limits.
 */
for (const name of [
  'RATE_LIMIT_TOKEN_REQUESTS_PER_IP',
  'RATE_LIMIT_TOKEN_FAILURES_PER_CLIENT',
  'RATE_LIMIT_TOKEN_FAILURES_PER_IP',
  'RATE_LIMIT_PAYMENT_WRITES_PER_CLIENT',
  'RATE_LIMIT_PARTNER_WEBHOOKS_PER_IP',
  'RATE_LIMIT_CONSOLE_SIGN_IN_FAILURES_PER_EMAIL',
  'RATE_LIMIT_CONSOLE_SIGN_IN_FAILURES_PER_IP',
]) {
  process.env[name] ??= '0';
}
