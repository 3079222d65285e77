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
    "whatsappCostMicros" BIGINT NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Order_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Order_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Order" ("cancelledAt", "checkoutToken", "contactId", "createdAt", "currency", "customerName", "email", "financialStatus", "fulfillmentStatus", "id", "lastMessageAt", "locale", "name", "phone", "processedAt", "shopId", "shopifyOrderId", "threadHandledAt", "threadViewedAt", "totalPrice", "updatedAt", "whatsappCostMicros", "whatsappMessages") SELECT "cancelledAt", "checkoutToken", "contactId", "createdAt", "currency", "customerName", "email", "financialStatus", "fulfillmentStatus", "id", "lastMessageAt", "locale", "name", "phone", "processedAt", "shopId", "shopifyOrderId", "threadHandledAt", "threadViewedAt", "totalPrice", "updatedAt", "whatsappCostMicros", "whatsappMessages" FROM "Order";
DROP TABLE "Order";
ALTER TABLE "new_Order" RENAME TO "Order";
CREATE INDEX "Order_shopId_createdAt_idx" ON "Order"("shopId", "createdAt");
CREATE INDEX "Order_shopId_lastMessageAt_idx" ON "Order"("shopId", "lastMessageAt");
CREATE INDEX "Order_shopId_contactId_idx" ON "Order"("shopId", "contactId");
CREATE INDEX "Order_shopId_checkoutToken_idx" ON "Order"("shopId", "checkoutToken");
CREATE UNIQUE INDEX "Order_shopId_shopifyOrderId_key" ON "Order"("shopId", "shopifyOrderId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
