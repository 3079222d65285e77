-- CreateTable
CREATE TABLE "Conversation" (
    "contactId" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "lastMessageAt" TIMESTAMP(3) NOT NULL,
    "lastDirection" TEXT NOT NULL,
    "lastInboundAt" TIMESTAMP(3),
    "viewedAt" TIMESTAMP(3),
    "handledAt" TIMESTAMP(3),
    "unread" BOOLEAN NOT NULL DEFAULT false,
    "needsReply" BOOLEAN NOT NULL DEFAULT false,
    "searchText" TEXT NOT NULL DEFAULT '',

    CONSTRAINT "Conversation_pkey" PRIMARY KEY ("contactId")
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

-- CreateIndex
CREATE INDEX "Conversation_shopId_lastMessageAt_idx" ON "Conversation"("shopId", "lastMessageAt");

-- CreateIndex
CREATE INDEX "Conversation_shopId_unread_lastMessageAt_idx" ON "Conversation"("shopId", "unread", "lastMessageAt");

-- CreateIndex
CREATE INDEX "Conversation_shopId_needsReply_lastMessageAt_idx" ON "Conversation"("shopId", "needsReply", "lastMessageAt");

-- AddForeignKey
ALTER TABLE "Conversation" ADD CONSTRAINT "Conversation_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Conversation" ADD CONSTRAINT "Conversation_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- DropIndex
DROP INDEX "Order_shopId_lastMessageAt_idx";

-- AlterTable
ALTER TABLE "Order" DROP COLUMN "lastMessageAt",
DROP COLUMN "threadHandledAt",
DROP COLUMN "threadViewedAt";
