-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "sendAttemptedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "WebhookReceipt" ADD COLUMN     "attempts" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lockedUntil" TIMESTAMP(3),
ADD COLUMN     "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- CreateIndex
CREATE INDEX "WebhookReceipt_status_nextAttemptAt_idx" ON "WebhookReceipt"("status", "nextAttemptAt");
