-- AlterTable
ALTER TABLE "Message" ADD COLUMN "costState" TEXT;
ALTER TABLE "Message" ADD COLUMN "rateCardRef" TEXT;
ALTER TABLE "Message" ADD COLUMN "repliedAt" DATETIME;

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "monthlyBudgetMicros" BIGINT;
ALTER TABLE "Shop" ADD COLUMN "pricingReconciledAt" DATETIME;

-- CreateTable
CREATE TABLE "RateCard" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "effectiveFrom" TEXT NOT NULL,
    "fileName" TEXT,
    "rates" JSONB NOT NULL,
    "tiers" JSONB NOT NULL,
    "recomputeTotal" INTEGER,
    "recomputeDone" INTEGER NOT NULL DEFAULT 0,
    "recomputedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RateCard_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CostDaily" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "market" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "pricingType" TEXT NOT NULL,
    "templateName" TEXT NOT NULL,
    "automation" TEXT NOT NULL,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "delivered" INTEGER NOT NULL DEFAULT 0,
    "read" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "replied" INTEGER NOT NULL DEFAULT 0,
    "charged" INTEGER NOT NULL DEFAULT 0,
    "free" INTEGER NOT NULL DEFAULT 0,
    "unknownRate" INTEGER NOT NULL DEFAULT 0,
    "costMicros" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "CostDaily_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "MetaCostDaily" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "country" TEXT NOT NULL,
    "market" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "pricingType" TEXT NOT NULL,
    "tier" TEXT NOT NULL,
    "volume" INTEGER NOT NULL,
    "costMicros" BIGINT,
    "fetchedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MetaCostDaily_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Order" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "shopifyOrderId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "contactId" TEXT,
    "customerName" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "locale" TEXT,
    "totalPrice" TEXT,
    "currency" TEXT,
    "financialStatus" TEXT,
    "fulfillmentStatus" TEXT,
    "checkoutToken" TEXT,
    "cancelledAt" DATETIME,
    "processedAt" DATETIME,
    "threadViewedAt" DATETIME,
    "threadHandledAt" DATETIME,
    "lastMessageAt" DATETIME,
    "whatsappMessages" INTEGER NOT NULL DEFAULT 0,
    "whatsappCostMicros" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Order_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Order_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Order" ("cancelledAt", "checkoutToken", "contactId", "createdAt", "currency", "customerName", "email", "financialStatus", "fulfillmentStatus", "id", "lastMessageAt", "locale", "name", "phone", "processedAt", "shopId", "shopifyOrderId", "threadHandledAt", "threadViewedAt", "totalPrice", "updatedAt") SELECT "cancelledAt", "checkoutToken", "contactId", "createdAt", "currency", "customerName", "email", "financialStatus", "fulfillmentStatus", "id", "lastMessageAt", "locale", "name", "phone", "processedAt", "shopId", "shopifyOrderId", "threadHandledAt", "threadViewedAt", "totalPrice", "updatedAt" FROM "Order";
DROP TABLE "Order";
ALTER TABLE "new_Order" RENAME TO "Order";
CREATE INDEX "Order_shopId_createdAt_idx" ON "Order"("shopId", "createdAt");
CREATE INDEX "Order_shopId_lastMessageAt_idx" ON "Order"("shopId", "lastMessageAt");
CREATE INDEX "Order_shopId_contactId_idx" ON "Order"("shopId", "contactId");
CREATE INDEX "Order_shopId_checkoutToken_idx" ON "Order"("shopId", "checkoutToken");
CREATE UNIQUE INDEX "Order_shopId_shopifyOrderId_key" ON "Order"("shopId", "shopifyOrderId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "RateCard_shopId_currency_effectiveFrom_key" ON "RateCard"("shopId", "currency", "effectiveFrom");

-- CreateIndex
CREATE INDEX "CostDaily_shopId_day_idx" ON "CostDaily"("shopId", "day");

-- CreateIndex
CREATE UNIQUE INDEX "CostDaily_shopId_day_market_category_pricingType_templateName_automation_key" ON "CostDaily"("shopId", "day", "market", "category", "pricingType", "templateName", "automation");

-- CreateIndex
CREATE INDEX "MetaCostDaily_shopId_day_idx" ON "MetaCostDaily"("shopId", "day");

-- CreateIndex
CREATE UNIQUE INDEX "MetaCostDaily_shopId_day_country_category_pricingType_tier_key" ON "MetaCostDaily"("shopId", "day", "country", "category", "pricingType", "tier");

-- CreateIndex
CREATE INDEX "Checkout_shopId_completedAt_idx" ON "Checkout"("shopId", "completedAt");

-- CreateIndex
CREATE INDEX "Message_shopId_market_pricingCategory_deliveredAt_idx" ON "Message"("shopId", "market", "pricingCategory", "deliveredAt");

-- CreateIndex
CREATE INDEX "Message_checkoutId_idx" ON "Message"("checkoutId");

-- CreateIndex
CREATE INDEX "Message_shopId_deliveredAt_idx" ON "Message"("shopId", "deliveredAt");
