-- AlterTable
ALTER TABLE "Order" ADD COLUMN "lastMessageAt" DATETIME;
ALTER TABLE "Order" ADD COLUMN "threadHandledAt" DATETIME;
ALTER TABLE "Order" ADD COLUMN "threadViewedAt" DATETIME;

-- CreateIndex
CREATE INDEX "Order_shopId_lastMessageAt_idx" ON "Order"("shopId", "lastMessageAt");
