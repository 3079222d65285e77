-- AlterTable
ALTER TABLE "Message" ADD COLUMN "claimedBy" TEXT;

-- AlterTable
ALTER TABLE "WebhookReceipt" ADD COLUMN "lockedBy" TEXT;

-- CreateTable
CREATE TABLE "WorkerLease" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "heartbeatAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "WorkerLease_heartbeatAt_idx" ON "WorkerLease"("heartbeatAt");
