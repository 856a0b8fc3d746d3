-- CreateTable
CREATE TABLE "entity" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "entity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_client" (
    "id" TEXT NOT NULL,
    "entity_id" UUID NOT NULL,
    "name" TEXT,
    "secret_hash" TEXT NOT NULL,
    "scopes" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_client_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "partner_account" (
    "id" UUID NOT NULL,
    "entity_id" UUID NOT NULL,
    "partner" TEXT NOT NULL,
    "methods" TEXT[],
    "credentials" JSONB NOT NULL,
    "config" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "partner_account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_secret" (
    "id" UUID NOT NULL,
    "entity_id" UUID NOT NULL,
    "secret" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_secret_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "client_session" (
    "id" UUID NOT NULL,
    "entity_id" UUID NOT NULL,
    "status" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "capture_mode" TEXT NOT NULL,
    "integration_mode" TEXT NOT NULL,
    "allow_future_usage" BOOLEAN NOT NULL DEFAULT false,
    "order" JSONB,
    "customer" JSONB,
    "three_ds_options" JSONB,
    "shopper_redirection_url" TEXT,
    "webhook" JSONB,
    "eligible_solutions" JSONB NOT NULL,
    "widget_data" TEXT NOT NULL,
    "payment_id" UUID,
    "version" INTEGER NOT NULL DEFAULT 1,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "client_session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment" (
    "id" UUID NOT NULL,
    "entity_id" UUID NOT NULL,
    "client_session_id" UUID,
    "amount" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "capture_mode" TEXT NOT NULL,
    "allow_future_usage" BOOLEAN NOT NULL DEFAULT false,
    "status" TEXT NOT NULL,
    "failure" JSONB,
    "order_reference" TEXT,
    "order" JSONB,
    "customer" JSONB,
    "browser" JSONB,
    "three_ds_options" JSONB,
    "shopper_redirection_url" TEXT,
    "webhook" JSONB,
    "version" INTEGER NOT NULL DEFAULT 1,
    "authorization_updated_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "partner_transaction" (
    "id" UUID NOT NULL,
    "payment_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "partner" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" CHAR(3) NOT NULL,
    "status" TEXT NOT NULL,
    "instrument" JSONB,
    "reference" TEXT NOT NULL,
    "partner_reference" TEXT,
    "partner_status" TEXT,
    "partner_status_description" TEXT,
    "partner_token" TEXT,
    "partner_additional_data" JSONB,
    "card" JSONB,
    "redirect_url" TEXT,
    "parent_payment_id" UUID,
    "parent_partner_transaction_id" UUID,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" JSONB,
    "next_check_at" TIMESTAMPTZ(3),
    "unknown_since" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "partner_transaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "operation" (
    "id" UUID NOT NULL,
    "payment_id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "merchant_reference" TEXT,
    "order" JSONB,
    "status" TEXT NOT NULL,
    "triggered_by" TEXT NOT NULL,
    "failure" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "operation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "operation_transaction" (
    "id" UUID NOT NULL,
    "operation_id" UUID NOT NULL,
    "partner_transaction_id" UUID NOT NULL,
    "amount" BIGINT NOT NULL,
    "status" TEXT NOT NULL,
    "reference" TEXT NOT NULL,
    "partner_reference" TEXT,
    "partner_status" TEXT,
    "partner_status_description" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" JSONB,
    "next_check_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "operation_transaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_key" (
    "id" UUID NOT NULL,
    "client_id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "response_status" INTEGER,
    "response_body" TEXT,
    "recovery_point" TEXT,
    "resource_id" TEXT,
    "locked_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_key_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "outbox" (
    "id" BIGSERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "job_id" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "enqueued_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "merchant_event" (
    "id" UUID NOT NULL,
    "entity_id" UUID NOT NULL,
    "payment_id" UUID,
    "client_session_id" UUID,
    "type" TEXT NOT NULL,
    "object_version" INTEGER NOT NULL,
    "payload" JSONB NOT NULL,
    "url" TEXT,
    "headers" JSONB,
    "status" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3),
    "delivered_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "merchant_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_delivery_attempt" (
    "id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "attempted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "response_status" INTEGER,
    "error" TEXT,
    "duration_ms" INTEGER NOT NULL,

    CONSTRAINT "webhook_delivery_attempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_endpoint" (
    "id" UUID NOT NULL,
    "entity_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "failing_since" TIMESTAMPTZ(3),
    "disabled_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "webhook_endpoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "partner_event" (
    "id" UUID NOT NULL,
    "partner" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processed_at" TIMESTAMPTZ(3),
    "error" TEXT,

    CONSTRAINT "partner_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "signing_key" (
    "id" TEXT NOT NULL,
    "algorithm" TEXT NOT NULL,
    "private_jwk" JSONB NOT NULL,
    "public_jwk" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "signing_key_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "entity_name_key" ON "entity"("name");

-- CreateIndex
CREATE INDEX "api_client_entity_id_idx" ON "api_client"("entity_id");

-- CreateIndex
CREATE UNIQUE INDEX "partner_account_entity_id_partner_key" ON "partner_account"("entity_id", "partner");

-- CreateIndex
CREATE INDEX "webhook_secret_entity_id_idx" ON "webhook_secret"("entity_id");

-- CreateIndex
CREATE INDEX "client_session_entity_id_created_at_idx" ON "client_session"("entity_id", "created_at");

-- CreateIndex
CREATE INDEX "client_session_status_expires_at_idx" ON "client_session"("status", "expires_at");

-- CreateIndex
CREATE INDEX "payment_entity_id_created_at_idx" ON "payment"("entity_id", "created_at");

-- CreateIndex
CREATE INDEX "payment_client_session_id_idx" ON "payment"("client_session_id");

-- CreateIndex
CREATE UNIQUE INDEX "partner_transaction_reference_key" ON "partner_transaction"("reference");

-- CreateIndex
CREATE INDEX "partner_transaction_partner_partner_reference_idx" ON "partner_transaction"("partner", "partner_reference");

-- CreateIndex
CREATE INDEX "partner_transaction_status_next_check_at_idx" ON "partner_transaction"("status", "next_check_at");

-- CreateIndex
CREATE UNIQUE INDEX "partner_transaction_payment_id_position_key" ON "partner_transaction"("payment_id", "position");

-- CreateIndex
CREATE INDEX "operation_payment_id_created_at_idx" ON "operation"("payment_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "operation_transaction_reference_key" ON "operation_transaction"("reference");

-- CreateIndex
CREATE INDEX "operation_transaction_operation_id_idx" ON "operation_transaction"("operation_id");

-- CreateIndex
CREATE INDEX "operation_transaction_partner_transaction_id_idx" ON "operation_transaction"("partner_transaction_id");

-- CreateIndex
CREATE INDEX "operation_transaction_status_next_check_at_idx" ON "operation_transaction"("status", "next_check_at");

-- CreateIndex
CREATE INDEX "idempotency_key_expires_at_idx" ON "idempotency_key"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "idempotency_key_client_id_key_key" ON "idempotency_key"("client_id", "key");

-- CreateIndex
CREATE INDEX "outbox_enqueued_at_id_idx" ON "outbox"("enqueued_at", "id");

-- CreateIndex
CREATE INDEX "merchant_event_payment_id_created_at_idx" ON "merchant_event"("payment_id", "created_at");

-- CreateIndex
CREATE INDEX "merchant_event_status_next_attempt_at_idx" ON "merchant_event"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_delivery_attempt_event_id_attempted_at_idx" ON "webhook_delivery_attempt"("event_id", "attempted_at");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_endpoint_entity_id_url_key" ON "webhook_endpoint"("entity_id", "url");

-- CreateIndex
CREATE INDEX "partner_event_processed_at_idx" ON "partner_event"("processed_at");

-- CreateIndex
CREATE UNIQUE INDEX "partner_event_partner_event_id_key" ON "partner_event"("partner", "event_id");

-- AddForeignKey
ALTER TABLE "api_client" ADD CONSTRAINT "api_client_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "entity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "partner_account" ADD CONSTRAINT "partner_account_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "entity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_secret" ADD CONSTRAINT "webhook_secret_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "entity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "client_session" ADD CONSTRAINT "client_session_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "entity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment" ADD CONSTRAINT "payment_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "entity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment" ADD CONSTRAINT "payment_client_session_id_fkey" FOREIGN KEY ("client_session_id") REFERENCES "client_session"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "partner_transaction" ADD CONSTRAINT "partner_transaction_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "operation" ADD CONSTRAINT "operation_payment_id_fkey" FOREIGN KEY ("payment_id") REFERENCES "payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "operation_transaction" ADD CONSTRAINT "operation_transaction_operation_id_fkey" FOREIGN KEY ("operation_id") REFERENCES "operation"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "operation_transaction" ADD CONSTRAINT "operation_transaction_partner_transaction_id_fkey" FOREIGN KEY ("partner_transaction_id") REFERENCES "partner_transaction"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "merchant_event" ADD CONSTRAINT "merchant_event_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "entity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_delivery_attempt" ADD CONSTRAINT "webhook_delivery_attempt_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "merchant_event"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_endpoint" ADD CONSTRAINT "webhook_endpoint_entity_id_fkey" FOREIGN KEY ("entity_id") REFERENCES "entity"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
