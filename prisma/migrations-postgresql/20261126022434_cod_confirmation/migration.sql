-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "codCancelOrders" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "codReminderHours" INTEGER NOT NULL DEFAULT 12;

-- CreateTable
CREATE TABLE "CodConfirmation" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ASKED',
    "askedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "remindedAt" TIMESTAMP(3),
    "answeredAt" TIMESTAMP(3),
    "syncedAt" TIMESTAMP(3),
    "syncError" TEXT,
    "syncAttempts" INTEGER NOT NULL DEFAULT 0,
    "nextSyncAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CodConfirmation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CodConfirmation_orderId_key" ON "CodConfirmation"("orderId");

-- CreateIndex
CREATE INDEX "CodConfirmation_shopId_askedAt_idx" ON "CodConfirmation"("shopId", "askedAt");

-- CreateIndex
CREATE INDEX "CodConfirmation_status_askedAt_idx" ON "CodConfirmation"("status", "askedAt");

-- AddForeignKey
ALTER TABLE "CodConfirmation" ADD CONSTRAINT "CodConfirmation_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CodConfirmation" ADD CONSTRAINT "CodConfirmation_orderId_fkey" FOREIGN KEY ("orderId") REFERENCES "Order"("id") ON DELETE CASCADE ON UPDATE CASCADE;
