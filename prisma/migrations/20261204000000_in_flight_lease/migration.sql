-- The in-flight lease of a partner call: until when the last call sent may still be processed by the
-- partner. While it holds, a status lookup that finds nothing never leads to a new send.
ALTER TABLE "partner_transaction" ADD COLUMN "in_flight_until" TIMESTAMPTZ(3);
ALTER TABLE "operation_transaction" ADD COLUMN "in_flight_until" TIMESTAMPTZ(3);
