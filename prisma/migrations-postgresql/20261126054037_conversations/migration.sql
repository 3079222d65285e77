-- CreateTable
CREATE TABLE "Conversation" (
    "contactId" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "lastMessageAt" TIMESTAMP(3) NOT NULL,
    "lastDirection" TEXT,
    "lastTurnAt" TIMESTAMP(3),
    "lastInboundAt" TIMESTAMP(3),
    "unread" BOOLEAN NOT NULL DEFAULT false,
    "needsReply" BOOLEAN NOT NULL DEFAULT false,
    "searchText" TEXT NOT NULL DEFAULT '',
    "assigneeId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    "needsPerson" BOOLEAN NOT NULL DEFAULT false,
    "marketingHeldUntil" TIMESTAMP(3),

    CONSTRAINT "Conversation_pkey" PRIMARY KEY ("contactId")
);

-- CreateTable
CREATE TABLE "ConversationEvent" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "contactId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "actorType" TEXT NOT NULL,
    "actorId" TEXT,
    "targetId" TEXT,
    "body" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConversationEvent_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "Conversation" ADD CONSTRAINT "Conversation_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Conversation" ADD CONSTRAINT "Conversation_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConversationEvent" ADD CONSTRAINT "ConversationEvent_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Conversation"("contactId") ON DELETE CASCADE ON UPDATE CASCADE;

-- DropIndex
DROP INDEX "Order_shopId_lastMessageAt_idx";

-- AlterTable
ALTER TABLE "Order" DROP COLUMN "lastMessageAt",
DROP COLUMN "threadHandledAt",
DROP COLUMN "threadViewedAt";
