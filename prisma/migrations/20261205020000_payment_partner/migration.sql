-- The partner filter of the payment search. Without it, "payments of this entity with a tender at
-- partner X" walks the entity's payments newest first and probes partner_transaction for each: fast
-- while X is common, but a partner the entity (almost) never used walks all of them (measured on 1M
-- payments: 311 ms for an entity of 58k). payment_partner holds one row per payment and partner of
-- one of its tenders, keyed in the search's order, so that filter reads `limit + 1` rows too.
-- A new, empty table: plain CREATE INDEX is fine here (no CONCURRENTLY needed).
--
-- Written by a trigger on partner_transaction rather than by create-payment: the payment's created_at
-- (clock_timestamp() in a sibling CTE of the same statement) is only readable after that statement,
-- which is when an AFTER trigger runs; and every writer of tenders (tests and tools included) is
-- covered. A tender's partner and a payment's created_at never change, so inserts are all it needs.
CREATE TABLE "payment_partner" (
    "entity_id" UUID NOT NULL,
    "partner" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL,
    "payment_id" UUID NOT NULL,

    CONSTRAINT "payment_partner_pkey" PRIMARY KEY ("entity_id", "partner", "created_at", "payment_id")
);

-- A partner filter combined with a more selective one (a rare status, an amount) starts from payment's
-- index and looks its payments up here.
CREATE INDEX "payment_partner_payment_id_idx" ON "payment_partner"("payment_id");

ALTER TABLE "payment_partner" ADD CONSTRAINT "payment_partner_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE FUNCTION "payment_partner_of_tender"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO payment_partner (entity_id, partner, created_at, payment_id)
  SELECT p.entity_id, NEW.partner, p.created_at, p.id FROM payment p WHERE p.id = NEW.payment_id
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$$;

CREATE TRIGGER "partner_transaction_payment_partner" AFTER INSERT ON "partner_transaction"
  FOR EACH ROW EXECUTE FUNCTION "payment_partner_of_tender"();

-- Existing payments. Production: CREATE TRIGGER locks partner_transaction against inserts (new
-- payments) until this migration commits, i.e. for the whole backfill (a few seconds per million
-- tenders). On a large table, create the table and trigger in one migration, then backfill in batches
-- (this statement with ON CONFLICT DO NOTHING is safe to repeat) before the search relies on it.
INSERT INTO "payment_partner" ("entity_id", "partner", "created_at", "payment_id")
SELECT DISTINCT p."entity_id", t."partner", p."created_at", p."id"
  FROM "partner_transaction" t JOIN "payment" p ON p."id" = t."payment_id"
ON CONFLICT DO NOTHING;
