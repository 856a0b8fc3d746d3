-- The operator console (issue #16): people who sign in, their sessions, and audit entries that name them.
-- CreateTable
CREATE TABLE "operator_account" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    -- scrypt$N$r$p$salt$hash: the parameters travel with the hash (libs/auth/src/client-secret.ts).
    "password_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabled_at" TIMESTAMPTZ(3),

    CONSTRAINT "operator_account_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "operator_account_role_check" CHECK ("role" IN ('viewer', 'operator'))
);

-- Emails compare case-insensitively: they are stored lower-cased.
CREATE UNIQUE INDEX "operator_account_email_key" ON "operator_account"("email");

-- CreateTable
CREATE TABLE "operator_session" (
    "id" UUID NOT NULL,
    "operator_id" UUID NOT NULL,
    -- sha256 of the cookie's token: a stolen table row does not sign anyone in.
    "token_hash" TEXT NOT NULL,
    -- The CSRF token the page sends back in X-CSRF-Token on every state-changing request.
    "csrf_token" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "operator_session_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "operator_session_operator_id_fkey" FOREIGN KEY ("operator_id") REFERENCES "operator_account"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE UNIQUE INDEX "operator_session_token_hash_key" ON "operator_session"("token_hash");
CREATE INDEX "operator_session_expires_at_idx" ON "operator_session"("expires_at");

-- The console's audit entries name the signed-in operator; the CLI's keep their free-text actor.
ALTER TABLE "audit_log" ADD COLUMN "operator_id" UUID;
ALTER TABLE "audit_log" ADD CONSTRAINT "audit_log_operator_id_fkey" FOREIGN KEY ("operator_id") REFERENCES "operator_account"("id") ON DELETE SET NULL ON UPDATE CASCADE;
