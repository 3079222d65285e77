-- CreateTable
CREATE TABLE "Conversation" (
    "contactId" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "lastMessageAt" DATETIME NOT NULL,
    "lastDirection" TEXT NOT NULL,
    "lastInboundAt" DATETIME,
    "viewedAt" DATETIME,
    "handledAt" DATETIME,
    "unread" BOOLEAN NOT NULL DEFAULT false,
    "needsReply" BOOLEAN NOT NULL DEFAULT false,
    "searchText" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "Conversation_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Conversation_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Every contact with messages gets its conversation: the latest message, the customer's latest, and the read
-- and handled times of its orders (the unread and needs-reply marks start clear, and the search text without
-- order numbers: both are kept current from the next message on).
INSERT INTO "Conversation" ("contactId", "shopId", "lastMessageAt", "lastDirection", "lastInboundAt", "viewedAt", "handledAt", "searchText")
SELECT c."id", c."shopId", m."lastAt",
  COALESCE((SELECT m2."direction" FROM "Message" m2 WHERE m2."contactId" = c."id" ORDER BY m2."occurredAt" DESC LIMIT 1), 'OUT'),
  (SELECT MAX(m3."createdAt") FROM "Message" m3 WHERE m3."contactId" = c."id" AND m3."direction" = 'IN' AND m3."source" <> 'HISTORY'),
  (SELECT MAX(o."threadViewedAt") FROM "Order" o WHERE o."contactId" = c."id"),
  (SELECT MAX(o."threadHandledAt") FROM "Order" o WHERE o."contactId" = c."id"),
  LOWER(COALESCE(c."name", '')) || ' ' || COALESCE(SUBSTR(c."phoneE164", 2), '')
FROM "Contact" c
JOIN (SELECT "contactId", MAX("occurredAt") AS "lastAt" FROM "Message" WHERE "contactId" IS NOT NULL GROUP BY "contactId") m ON m."contactId" = c."id";

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
    "confirmationNumber" TEXT,
    "cancelledAt" DATETIME,
    "processedAt" DATETIME,
    "whatsappMessages" INTEGER NOT NULL DEFAULT 0,
    "whatsappCostMicros" BIGINT NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Order_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Order_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Order" ("cancelledAt", "checkoutToken", "confirmationNumber", "contactId", "createdAt", "currency", "customerName", "email", "financialStatus", "fulfillmentStatus", "id", "locale", "name", "phone", "processedAt", "shopId", "shopifyOrderId", "totalPrice", "updatedAt", "whatsappCostMicros", "whatsappMessages") SELECT "cancelledAt", "checkoutToken", "confirmationNumber", "contactId", "createdAt", "currency", "customerName", "email", "financialStatus", "fulfillmentStatus", "id", "locale", "name", "phone", "processedAt", "shopId", "shopifyOrderId", "totalPrice", "updatedAt", "whatsappCostMicros", "whatsappMessages" FROM "Order";
DROP TABLE "Order";
ALTER TABLE "new_Order" RENAME TO "Order";
CREATE INDEX "Order_shopId_createdAt_idx" ON "Order"("shopId", "createdAt");
CREATE INDEX "Order_shopId_contactId_idx" ON "Order"("shopId", "contactId");
CREATE INDEX "Order_shopId_checkoutToken_idx" ON "Order"("shopId", "checkoutToken");
CREATE UNIQUE INDEX "Order_shopId_shopifyOrderId_key" ON "Order"("shopId", "shopifyOrderId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Conversation_shopId_lastMessageAt_idx" ON "Conversation"("shopId", "lastMessageAt");

-- CreateIndex
CREATE INDEX "Conversation_shopId_unread_lastMessageAt_idx" ON "Conversation"("shopId", "unread", "lastMessageAt");

-- CreateIndex
CREATE INDEX "Conversation_shopId_needsReply_lastMessageAt_idx" ON "Conversation"("shopId", "needsReply", "lastMessageAt");
