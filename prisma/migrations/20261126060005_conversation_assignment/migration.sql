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

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Conversation" (
    "contactId" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "lastMessageAt" DATETIME NOT NULL,
    "lastDirection" TEXT NOT NULL,
    "lastInboundAt" DATETIME,
    "viewedAt" DATETIME,
    "handledAt" DATETIME,
    "handledBy" TEXT,
    "unread" BOOLEAN NOT NULL DEFAULT false,
    "needsReply" BOOLEAN NOT NULL DEFAULT false,
    "searchText" TEXT NOT NULL DEFAULT '',
    "assigneeId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'OPEN',
    "closedAt" DATETIME,
    CONSTRAINT "Conversation_contactId_fkey" FOREIGN KEY ("contactId") REFERENCES "Contact" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Conversation_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Conversation" ("contactId", "handledAt", "handledBy", "lastDirection", "lastInboundAt", "lastMessageAt", "needsReply", "searchText", "shopId", "unread", "viewedAt") SELECT "contactId", "handledAt", "handledBy", "lastDirection", "lastInboundAt", "lastMessageAt", "needsReply", "searchText", "shopId", "unread", "viewedAt" FROM "Conversation";
DROP TABLE "Conversation";
ALTER TABLE "new_Conversation" RENAME TO "Conversation";
CREATE INDEX "Conversation_shopId_lastMessageAt_idx" ON "Conversation"("shopId", "lastMessageAt");
CREATE INDEX "Conversation_shopId_unread_lastMessageAt_idx" ON "Conversation"("shopId", "unread", "lastMessageAt");
CREATE INDEX "Conversation_shopId_needsReply_lastMessageAt_idx" ON "Conversation"("shopId", "needsReply", "lastMessageAt");
CREATE INDEX "Conversation_shopId_assigneeId_lastMessageAt_idx" ON "Conversation"("shopId", "assigneeId", "lastMessageAt");
CREATE INDEX "Conversation_shopId_status_lastMessageAt_idx" ON "Conversation"("shopId", "status", "lastMessageAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "ConversationEvent_contactId_at_idx" ON "ConversationEvent"("contactId", "at");
