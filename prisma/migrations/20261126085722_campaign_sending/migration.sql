-- AlterTable
ALTER TABLE "CampaignRecipient" ADD COLUMN "dueAt" DATETIME;
ALTER TABLE "CampaignRecipient" ADD COLUMN "messageId" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Campaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'DRAFT',
    "segmentId" TEXT,
    "segmentQuery" TEXT,
    "filters" JSONB,
    "audienceStatus" TEXT NOT NULL DEFAULT 'PENDING',
    "audienceTotal" INTEGER,
    "audienceRead" INTEGER NOT NULL DEFAULT 0,
    "audienceCursor" TEXT,
    "audienceError" TEXT,
    "audienceAttempts" INTEGER NOT NULL DEFAULT 0,
    "audienceLockedUntil" DATETIME,
    "audienceLockedBy" TEXT,
    "templateName" TEXT,
    "variableMapping" JSONB,
    "utmCampaign" TEXT,
    "scheduleKind" TEXT NOT NULL DEFAULT 'NOW',
    "sendAt" DATETIME,
    "localTime" TEXT,
    "estimate" JSONB,
    "overBudgetApproved" BOOLEAN NOT NULL DEFAULT false,
    "attributionDays" INTEGER NOT NULL DEFAULT 7,
    "queued" INTEGER NOT NULL DEFAULT 0,
    "queueLockedUntil" DATETIME,
    "queueLockedBy" TEXT,
    "scheduledAt" DATETIME,
    "startedAt" DATETIME,
    "finishedAt" DATETIME,
    "createdBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Campaign_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Campaign" ("audienceAttempts", "audienceCursor", "audienceError", "audienceLockedBy", "audienceLockedUntil", "audienceRead", "audienceStatus", "audienceTotal", "createdAt", "createdBy", "filters", "id", "name", "segmentId", "segmentQuery", "shopId", "status", "templateName", "updatedAt") SELECT "audienceAttempts", "audienceCursor", "audienceError", "audienceLockedBy", "audienceLockedUntil", "audienceRead", "audienceStatus", "audienceTotal", "createdAt", "createdBy", "filters", "id", "name", "segmentId", "segmentQuery", "shopId", "status", "templateName", "updatedAt" FROM "Campaign";
DROP TABLE "Campaign";
ALTER TABLE "new_Campaign" RENAME TO "Campaign";
CREATE INDEX "Campaign_shopId_createdAt_idx" ON "Campaign"("shopId", "createdAt");
CREATE INDEX "Campaign_audienceStatus_audienceLockedUntil_idx" ON "Campaign"("audienceStatus", "audienceLockedUntil");
CREATE INDEX "Campaign_status_queueLockedUntil_idx" ON "Campaign"("status", "queueLockedUntil");
CREATE TABLE "new_Message" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "direction" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "contactId" TEXT,
    "orderId" TEXT,
    "checkoutId" TEXT,
    "automationId" TEXT,
    "campaignId" TEXT,
    "templateId" TEXT,
    "templateName" TEXT,
    "templateLanguage" TEXT,
    "params" JSONB,
    "body" TEXT,
    "recipientPhone" TEXT,
    "market" TEXT,
    "idempotencyKey" TEXT,
    "wamid" TEXT,
    "replyToWamid" TEXT,
    "changeKind" TEXT,
    "staffUserId" TEXT,
    "staffName" TEXT,
    "status" TEXT NOT NULL,
    "statusRank" INTEGER NOT NULL DEFAULT 0,
    "scheduledFor" DATETIME,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" DATETIME,
    "claimedBy" TEXT,
    "sendAttemptedAt" DATETIME,
    "sentAt" DATETIME,
    "deliveredAt" DATETIME,
    "readAt" DATETIME,
    "failedAt" DATETIME,
    "errorCode" INTEGER,
    "errorTitle" TEXT,
    "errorDetails" TEXT,
    "skipReason" TEXT,
    "pricingCategory" TEXT,
    "pricingType" TEXT,
    "billable" BOOLEAN,
    "costState" TEXT,
    "costMicros" INTEGER,
    "currency" TEXT,
    "rateCardRef" TEXT,
    "repliedAt" DATETIME,
    "content" JSONB,
    "reaction" TEXT,
    "reactionAt" DATETIME,
    "editedAt" DATETIME,
    "deletedAt" DATETIME,
    "occurredAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Message_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Message_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Message_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Message_checkoutId_fkey" FOREIGN KEY ("checkoutId") REFERENCES "Checkout" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Message_automationId_fkey" FOREIGN KEY ("automationId") REFERENCES "Automation" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Message_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Message_templateId_fkey" FOREIGN KEY ("templateId") REFERENCES "Template" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Message" ("attempts", "automationId", "billable", "body", "changeKind", "checkoutId", "claimedBy", "contactId", "content", "costMicros", "costState", "createdAt", "currency", "deletedAt", "deliveredAt", "direction", "editedAt", "errorCode", "errorDetails", "errorTitle", "failedAt", "id", "idempotencyKey", "lockedUntil", "market", "occurredAt", "orderId", "params", "pricingCategory", "pricingType", "rateCardRef", "reaction", "reactionAt", "readAt", "recipientPhone", "repliedAt", "replyToWamid", "scheduledFor", "sendAttemptedAt", "sentAt", "shopId", "skipReason", "source", "staffName", "staffUserId", "status", "statusRank", "templateId", "templateLanguage", "templateName", "type", "updatedAt", "wamid") SELECT "attempts", "automationId", "billable", "body", "changeKind", "checkoutId", "claimedBy", "contactId", "content", "costMicros", "costState", "createdAt", "currency", "deletedAt", "deliveredAt", "direction", "editedAt", "errorCode", "errorDetails", "errorTitle", "failedAt", "id", "idempotencyKey", "lockedUntil", "market", "occurredAt", "orderId", "params", "pricingCategory", "pricingType", "rateCardRef", "reaction", "reactionAt", "readAt", "recipientPhone", "repliedAt", "replyToWamid", "scheduledFor", "sendAttemptedAt", "sentAt", "shopId", "skipReason", "source", "staffName", "staffUserId", "status", "statusRank", "templateId", "templateLanguage", "templateName", "type", "updatedAt", "wamid" FROM "Message";
DROP TABLE "Message";
ALTER TABLE "new_Message" RENAME TO "Message";
CREATE INDEX "Message_shopId_replyToWamid_idx" ON "Message"("shopId", "replyToWamid");
CREATE INDEX "Message_shopId_status_scheduledFor_idx" ON "Message"("shopId", "status", "scheduledFor");
CREATE INDEX "Message_status_scheduledFor_idx" ON "Message"("status", "scheduledFor");
CREATE INDEX "Message_shopId_orderId_occurredAt_idx" ON "Message"("shopId", "orderId", "occurredAt");
CREATE INDEX "Message_shopId_contactId_occurredAt_idx" ON "Message"("shopId", "contactId", "occurredAt");
CREATE INDEX "Message_shopId_market_pricingCategory_deliveredAt_idx" ON "Message"("shopId", "market", "pricingCategory", "deliveredAt");
CREATE INDEX "Message_checkoutId_idx" ON "Message"("checkoutId");
CREATE INDEX "Message_campaignId_status_idx" ON "Message"("campaignId", "status");
CREATE INDEX "Message_shopId_deliveredAt_idx" ON "Message"("shopId", "deliveredAt");
CREATE UNIQUE INDEX "Message_shopId_idempotencyKey_key" ON "Message"("shopId", "idempotencyKey");
CREATE UNIQUE INDEX "Message_shopId_wamid_key" ON "Message"("shopId", "wamid");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
