-- Payment search (GET /v2/payments, the operator console): newest first, keyset on (created_at, id).
-- Each filter gets an index that returns its rows already in that order, so a page reads `limit + 1`
-- index entries instead of sorting the entity's payments:
--   no filter, created_from/created_to → (entity_id, created_at, id), which replaces (entity_id, created_at);
--   partner                      → table payment_partner (next migration);
--   status                       → (entity_id, status, created_at, id);
--   amount                       → (entity_id, amount, created_at, id);
--   order_reference              → (order_reference, created_at, id): also serves the console's
--                                  search across entities (a reference is rare outside its merchant);
--   every entity (the console)   → (created_at, id).
--
-- Production: the offline runner (libs/persistence/src/migrations/runner.ts) runs each migration in
-- one transaction, where Postgres refuses CREATE INDEX CONCURRENTLY; a plain CREATE INDEX blocks
-- writes to `payment` (new payments) while it builds. On a large table, build them first by hand
-- with `CREATE INDEX CONCURRENTLY IF NOT EXISTS <same name> ON ...` (outside a transaction, one at a
-- time; check none is left INVALID), then run the migration: IF NOT EXISTS makes it a no-op.
-- The old index is dropped last, once its replacement exists (DROP INDEX CONCURRENTLY likewise).
CREATE INDEX IF NOT EXISTS "payment_entity_id_created_at_id_idx" ON "payment"("entity_id", "created_at", "id");
CREATE INDEX IF NOT EXISTS "payment_entity_id_status_created_at_id_idx" ON "payment"("entity_id", "status", "created_at", "id");
CREATE INDEX IF NOT EXISTS "payment_entity_id_amount_created_at_id_idx" ON "payment"("entity_id", "amount", "created_at", "id");
CREATE INDEX IF NOT EXISTS "payment_order_reference_created_at_id_idx" ON "payment"("order_reference", "created_at", "id");
CREATE INDEX IF NOT EXISTS "payment_created_at_id_idx" ON "payment"("created_at", "id");
DROP INDEX IF EXISTS "payment_entity_id_created_at_idx";
