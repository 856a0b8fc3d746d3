-- Who did what by hand, and why: operators settling outcomes automation could not (tender unknown …),
-- written in the same transaction as the change.
-- CreateTable
CREATE TABLE "audit_log" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_id" UUID NOT NULL,
    "payment_id" UUID,
    "reason" TEXT,
    "details" JSONB,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_log_target_id_at_idx" ON "audit_log"("target_id", "at");

-- CreateIndex
CREATE INDEX "audit_log_payment_id_at_idx" ON "audit_log"("payment_id", "at");
