-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "claimedBy" TEXT;

-- AlterTable
ALTER TABLE "WebhookReceipt" ADD COLUMN     "lockedBy" TEXT;

-- CreateTable
CREATE TABLE "WorkerLease" (
    "id" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WorkerLease_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WorkerLease_heartbeatAt_idx" ON "WorkerLease"("heartbeatAt");
