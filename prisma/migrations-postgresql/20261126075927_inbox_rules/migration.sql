-- AlterTable
ALTER TABLE "Contact" ADD COLUMN     "amountSpentMicros" BIGINT,
ADD COLUMN     "customerFactsAt" TIMESTAMP(3),
ADD COLUMN     "customerTags" JSONB,
ADD COLUMN     "shopifyCustomerId" TEXT;

-- AlterTable
ALTER TABLE "Conversation" ADD COLUMN     "awayPeriodStart" TIMESTAMP(3),
ADD COLUMN     "handoffReason" TEXT,
ADD COLUMN     "replyDueAt" TIMESTAMP(3),
ADD COLUMN     "unansweredCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "waitingSince" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "ConversationEvent" ADD COLUMN     "reason" TEXT;

-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "shipmentStatus" TEXT,
ADD COLUMN     "trackingCompany" TEXT,
ADD COLUMN     "trackingNumber" TEXT,
ADD COLUMN     "trackingUrl" TEXT;

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "awayMessageEnabled" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "businessHours" JSONB,
ADD COLUMN     "firstResponseTargetMinutes" INTEGER NOT NULL DEFAULT 15,
ADD COLUMN     "orderStatusAnswers" BOOLEAN NOT NULL DEFAULT true,
ADD COLUMN     "phoneAppHoldHours" INTEGER NOT NULL DEFAULT 24,
ADD COLUMN     "vipCustomerTag" TEXT,
ADD COLUMN     "vipSpendMicros" BIGINT;

-- CreateTable
CREATE TABLE "QuickReply" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "locale" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "QuickReply_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "QuickReply_shopId_locale_idx" ON "QuickReply"("shopId", "locale");

-- CreateIndex
CREATE INDEX "Contact_shopId_shopifyCustomerId_idx" ON "Contact"("shopId", "shopifyCustomerId");

-- CreateIndex
CREATE INDEX "Conversation_shopId_needsReply_replyDueAt_idx" ON "Conversation"("shopId", "needsReply", "replyDueAt");

-- AddForeignKey
ALTER TABLE "QuickReply" ADD CONSTRAINT "QuickReply_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Conversations already waiting for a reply: waiting since the customer's
-- latest turn (one message counted), and due from then (the target is not
-- known for the past: they show as overdue until answered).
UPDATE "Conversation" SET "waitingSince" = "lastTurnAt", "replyDueAt" = "lastTurnAt", "unansweredCount" = 1 WHERE "needsReply" AND "lastTurnAt" IS NOT NULL;
