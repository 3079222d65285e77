-- AlterTable
ALTER TABLE "Message" ADD COLUMN "sendAttemptedAt" DATETIME;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_WebhookReceipt" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT,
    "source" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'RECEIVED',
    "error" TEXT,
    "payload" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" DATETIME,
    "nextAttemptAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "WebhookReceipt_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_WebhookReceipt" ("dedupeKey", "error", "id", "payload", "processedAt", "receivedAt", "shopId", "source", "status", "topic") SELECT "dedupeKey", "error", "id", "payload", "processedAt", "receivedAt", "shopId", "source", "status", "topic" FROM "WebhookReceipt";
DROP TABLE "WebhookReceipt";
ALTER TABLE "new_WebhookReceipt" RENAME TO "WebhookReceipt";
CREATE INDEX "WebhookReceipt_shopId_receivedAt_idx" ON "WebhookReceipt"("shopId", "receivedAt");
CREATE INDEX "WebhookReceipt_status_nextAttemptAt_idx" ON "WebhookReceipt"("status", "nextAttemptAt");
CREATE UNIQUE INDEX "WebhookReceipt_source_dedupeKey_key" ON "WebhookReceipt"("source", "dedupeKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
