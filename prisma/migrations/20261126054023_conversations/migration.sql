-- CreateTable
CREATE TABLE "Conversation" (
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
    CONSTRAINT "Conversation_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Conversation_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ConversationEvent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "contactId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "targetId" TEXT,
    "body" TEXT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ConversationEvent_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Conversation" ("contactId") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Every contact with messages gets its conversation: its latest message, its latest turn (the customer
-- writing, or staff answering in the app or the phone app), the customer's latest message and, from the
-- orders' read and handled times, whether it is unread or needs a reply. The search text is left empty: the
-- worker builds it (the name without accents takes code, not SQL).
INSERT INTO "Conversation" ("contactId", "shopId", "lastMessageAt", "lastDirection", "lastTurnAt", "lastInboundAt")
SELECT c."id", c."shopId", m."lastAt",
  (SELECT t."direction" FROM "Message" t WHERE t."contactId" = c."id" AND t."source" IN ('CUSTOMER', 'STAFF', 'PHONE_APP') ORDER BY t."occurredAt" DESC LIMIT 1),
  (SELECT MAX(t."occurredAt") FROM "Message" t WHERE t."contactId" = c."id" AND t."source" IN ('CUSTOMER', 'STAFF', 'PHONE_APP')),
  (SELECT MAX(i."createdAt") FROM "Message" i WHERE i."contactId" = c."id" AND i."direction" = 'IN' AND i."source" = 'CUSTOMER')
FROM "Contact" c
JOIN (SELECT "contactId", MAX("occurredAt") AS "lastAt" FROM "Message" WHERE "contactId" IS NOT NULL GROUP BY "contactId") m ON m."contactId" = c."id";

UPDATE "Conversation" SET
  "unread" = "lastInboundAt" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "Order" o WHERE o."contactId" = "Conversation"."contactId" AND o."threadViewedAt" >= "Conversation"."lastInboundAt"),
  "needsReply" = "lastDirection" IS NOT NULL AND "lastDirection" = 'IN' AND NOT EXISTS (SELECT 1 FROM "Order" o WHERE o."contactId" = "Conversation"."contactId" AND o."threadHandledAt" >= "Conversation"."lastInboundAt");

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

-- CreateIndex
CREATE INDEX "Conversation_shopId_assigneeId_lastMessageAt_idx" ON "Conversation"("shopId", "assigneeId", "lastMessageAt");

-- CreateIndex
CREATE INDEX "Conversation_shopId_status_lastMessageAt_idx" ON "Conversation"("shopId", "status", "lastMessageAt");

-- CreateIndex
CREATE INDEX "ConversationEvent_contactId_at_idx" ON "ConversationEvent"("contactId", "at");
