-- Statuses are the state machines' (libs/domain/src/state-machines.ts): the database refuses any other value,
-- whoever writes it. A test keeps these lists and the domain's equal.
ALTER TABLE "client_session" ADD CONSTRAINT "client_session_status_check" CHECK ("status" IN ('CREATED', 'SUBMITTED', 'COMPLETED', 'FAILED', 'ABORTED_BY_MERCHANT', 'EXPIRED'));
ALTER TABLE "client_session" ADD CONSTRAINT "client_session_capture_mode_check" CHECK ("capture_mode" IN ('AUTOMATIC', 'MANUAL'));
ALTER TABLE "payment" ADD CONSTRAINT "payment_status_check" CHECK ("status" IN ('PENDING', 'PENDING_FRAUD_APPROVAL', 'AUTHORIZED', 'REFUSED', 'CANCELLED'));
ALTER TABLE "payment" ADD CONSTRAINT "payment_capture_mode_check" CHECK ("capture_mode" IN ('AUTOMATIC', 'MANUAL'));
ALTER TABLE "partner_transaction" ADD CONSTRAINT "partner_transaction_status_check" CHECK ("status" IN ('PENDING', 'REQUIRES_ACTION', 'UNKNOWN', 'PENDING_FRAUD_APPROVAL', 'AUTHORIZED', 'REFUSED', 'FAILED', 'CANCELLED'));
ALTER TABLE "operation" ADD CONSTRAINT "operation_type_check" CHECK ("type" IN ('CAPTURE', 'VOID', 'REFUND'));
ALTER TABLE "operation" ADD CONSTRAINT "operation_status_check" CHECK ("status" IN ('PENDING', 'SUCCESS', 'FAILED'));
ALTER TABLE "operation" ADD CONSTRAINT "operation_triggered_by_check" CHECK ("triggered_by" IN ('MERCHANT', 'SYSTEM'));
ALTER TABLE "operation_transaction" ADD CONSTRAINT "operation_transaction_status_check" CHECK ("status" IN ('PENDING', 'UNKNOWN', 'SUCCESS', 'FAILED'));
ALTER TABLE "merchant_event" ADD CONSTRAINT "merchant_event_status_check" CHECK ("status" IN ('PENDING', 'DELIVERED', 'FAILED', 'SKIPPED'));
