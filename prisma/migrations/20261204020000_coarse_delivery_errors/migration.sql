-- Merchant webhook delivery errors recorded before they were coarse (raw socket errors such as
-- "connect ECONNREFUSED 10.0.0.5:6379" map a merchant's view onto our network) become the coarse
-- codes that deliveries record since (libs/infra/src/webhook-delivery-errors.ts).
CREATE FUNCTION pg_temp.coarse_delivery_error(raw text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN raw IS NULL THEN NULL
    WHEN raw IN ('blocked_address', 'dns_failure', 'connect_refused', 'unreachable', 'timeout', 'tls_error',
                 'connection_reset', 'network_error', 'no_webhook_secret', 'endpoint disabled')
      OR raw ~ '^http_[1-5]xx$' THEN raw
    WHEN raw ~ '^HTTP [1-5][0-9][0-9]$' THEN 'http_' || substr(raw, 6, 1) || 'xx'
    WHEN raw ~* 'timeout|ETIMEDOUT|aborted' THEN 'timeout'
    WHEN raw ~ 'ECONNREFUSED' THEN 'connect_refused'
    WHEN raw ~ 'ENOTFOUND|EAI_AGAIN' THEN 'dns_failure'
    WHEN raw ~* 'ECONNRESET|socket hang up|EPIPE' THEN 'connection_reset'
    WHEN raw ~ 'EHOSTUNREACH|ENETUNREACH' THEN 'unreachable'
    WHEN raw ~* 'certificate|TLS|SSL' THEN 'tls_error'
    WHEN raw ~ 'no active webhook secret' THEN 'no_webhook_secret'
    ELSE 'network_error'
  END
$$;

UPDATE "webhook_delivery_attempt" SET "error" = pg_temp.coarse_delivery_error("error")
 WHERE "error" IS DISTINCT FROM pg_temp.coarse_delivery_error("error");

UPDATE "merchant_event" SET "last_error" = pg_temp.coarse_delivery_error("last_error")
 WHERE "last_error" IS DISTINCT FROM pg_temp.coarse_delivery_error("last_error");
