-- DropIndex
DROP INDEX "Order_shopId_contactId_idx";

-- CreateIndex
CREATE INDEX "Order_contactId_createdAt_idx" ON "Order"("contactId", "createdAt");
