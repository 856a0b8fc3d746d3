-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "cancel_requested_at" TIMESTAMPTZ(3);
