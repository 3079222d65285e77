-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "lastMessageAt" TIMESTAMP(3),
ADD COLUMN     "threadHandledAt" TIMESTAMP(3),
ADD COLUMN     "threadViewedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Order_shopId_lastMessageAt_idx" ON "Order"("shopId", "lastMessageAt");
