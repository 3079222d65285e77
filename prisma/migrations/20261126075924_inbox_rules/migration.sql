-- AlterTable
ALTER TABLE "Contact" ADD COLUMN "amountSpentMicros" BIGINT;
ALTER TABLE "Contact" ADD COLUMN "customerFactsAt" DATETIME;
ALTER TABLE "Contact" ADD COLUMN "customerTags" JSONB;
ALTER TABLE "Contact" ADD COLUMN "shopifyCustomerId" TEXT;

-- AlterTable
ALTER TABLE "ConversationEvent" ADD COLUMN "reason" TEXT;

-- AlterTable
ALTER TABLE "Order" ADD COLUMN "shipmentStatus" TEXT;
ALTER TABLE "Order" ADD COLUMN "trackingCompany" TEXT;
ALTER TABLE "Order" ADD COLUMN "trackingNumber" TEXT;
ALTER TABLE "Order" ADD COLUMN "trackingUrl" TEXT;

-- CreateTable
CREATE TABLE "QuickReply" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "QuickReply_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Conversation" (
    "contactId" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "lastMessageAt" DATETIME NOT NULL,
    "lastDirection" TEXT,
    "lastTurnAt" DATETIME,
    "lastInboundAt" DATETIME,
    "unread" BOOLEAN NOT NULL DEFAULT false,
    "needsReply" BOOLEAN NOT NULL DEFAULT false,
    "searchText" TEXT NOT NULL DEFAULT '',
    "assigneeId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    "needsPerson" BOOLEAN NOT NULL DEFAULT false,
    "marketingHeldUntil" DATETIME,
    "handoffReason" TEXT,
    "unansweredCount" INTEGER NOT NULL DEFAULT 0,
    "waitingSince" DATETIME,
    "replyDueAt" DATETIME,
    "awayPeriodStart" DATETIME,
    CONSTRAINT "Conversation_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Conversation_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Conversation" ("assigneeId", "contactId", "lastDirection", "lastInboundAt", "lastMessageAt", "lastTurnAt", "marketingHeldUntil", "needsPerson", "needsReply", "searchText", "shopId", "status", "unread") SELECT "assigneeId", "contactId", "lastDirection", "lastInboundAt", "lastMessageAt", "lastTurnAt", "marketingHeldUntil", "needsPerson", "needsReply", "searchText", "shopId", "status", "unread" FROM "Conversation";
DROP TABLE "Conversation";
ALTER TABLE "new_Conversation" RENAME TO "Conversation";
CREATE INDEX "Conversation_shopId_lastMessageAt_idx" ON "Conversation"("shopId", "lastMessageAt");
CREATE INDEX "Conversation_shopId_unread_lastMessageAt_idx" ON "Conversation"("shopId", "unread", "lastMessageAt");
CREATE INDEX "Conversation_shopId_needsReply_lastMessageAt_idx" ON "Conversation"("shopId", "needsReply", "lastMessageAt");
CREATE INDEX "Conversation_shopId_assigneeId_lastMessageAt_idx" ON "Conversation"("shopId", "assigneeId", "lastMessageAt");
CREATE INDEX "Conversation_shopId_status_lastMessageAt_idx" ON "Conversation"("shopId", "status", "lastMessageAt");
CREATE INDEX "Conversation_shopId_needsReply_replyDueAt_idx" ON "Conversation"("shopId", "needsReply", "replyDueAt");
CREATE TABLE "new_Shop" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "domain" TEXT NOT NULL,
    "name" TEXT,
    "email" TEXT,
    "currency" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "locale" TEXT NOT NULL DEFAULT 'en',
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "country" TEXT,
    "plan" TEXT,
    "developmentStore" BOOLEAN,
    "factsSyncedAt" DATETIME,
    "adminAuthLostAt" DATETIME,
    "codCancelOrders" BOOLEAN NOT NULL DEFAULT false,
    "codReminderHours" INTEGER NOT NULL DEFAULT 12,
    "requireUtilityOptIn" BOOLEAN NOT NULL DEFAULT false,
    "smsConsentCountsForWhatsApp" BOOLEAN NOT NULL DEFAULT false,
    "marketingBlockedCountries" JSONB NOT NULL,
    "optOutKeywords" JSONB NOT NULL,
    "monthlyBudgetMicros" BIGINT,
    "pricingReconciledAt" DATETIME,
    "businessHours" JSONB,
    "awayMessageEnabled" BOOLEAN NOT NULL DEFAULT false,
    "firstResponseTargetMinutes" INTEGER NOT NULL DEFAULT 15,
    "phoneAppHoldHours" INTEGER NOT NULL DEFAULT 24,
    "vipCustomerTag" TEXT,
    "vipSpendMicros" BIGINT,
    "orderStatusAnswers" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Shop" ("adminAuthLostAt", "codCancelOrders", "codReminderHours", "country", "createdAt", "currency", "developmentStore", "domain", "email", "factsSyncedAt", "id", "installedAt", "locale", "marketingBlockedCountries", "monthlyBudgetMicros", "name", "optOutKeywords", "plan", "pricingReconciledAt", "requireUtilityOptIn", "smsConsentCountsForWhatsApp", "timezone", "uninstalledAt", "updatedAt") SELECT "adminAuthLostAt", "codCancelOrders", "codReminderHours", "country", "createdAt", "currency", "developmentStore", "domain", "email", "factsSyncedAt", "id", "installedAt", "locale", "marketingBlockedCountries", "monthlyBudgetMicros", "name", "optOutKeywords", "plan", "pricingReconciledAt", "requireUtilityOptIn", "smsConsentCountsForWhatsApp", "timezone", "uninstalledAt", "updatedAt" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
CREATE UNIQUE INDEX "Shop_domain_key" ON "Shop"("domain");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "QuickReply_shopId_locale_idx" ON "QuickReply"("shopId", "locale");

-- CreateIndex
CREATE INDEX "Contact_shopId_shopifyCustomerId_idx" ON "Contact"("shopId", "shopifyCustomerId");

-- Conversations already waiting for a reply: waiting since the customer's
-- latest turn (one message counted), and due from then (the target is not
-- known for the past: they show as overdue until answered).
UPDATE "Conversation" SET "waitingSince" = "lastTurnAt", "replyDueAt" = "lastTurnAt", "unansweredCount" = 1 WHERE "needsReply" AND "lastTurnAt" IS NOT NULL;
