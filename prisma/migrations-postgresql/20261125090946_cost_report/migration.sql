-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "costState" TEXT,
ADD COLUMN     "rateCardRef" TEXT,
ADD COLUMN     "repliedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "whatsappCostMicros" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "whatsappMessages" INTEGER NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "monthlyBudgetMicros" BIGINT,
ADD COLUMN     "pricingReconciledAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "RateCard" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "effectiveFrom" TEXT NOT NULL,
    "fileName" TEXT,
    "rates" JSONB NOT NULL,
    "tiers" JSONB NOT NULL,
    "recomputeTotal" INTEGER,
    "recomputeDone" INTEGER NOT NULL DEFAULT 0,
    "recomputedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RateCard_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CostDaily" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "market" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "pricingType" TEXT NOT NULL,
    "templateName" TEXT NOT NULL,
    "automation" TEXT NOT NULL,
    "sent" INTEGER NOT NULL DEFAULT 0,
    "delivered" INTEGER NOT NULL DEFAULT 0,
    "read" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "replied" INTEGER NOT NULL DEFAULT 0,
    "charged" INTEGER NOT NULL DEFAULT 0,
    "free" INTEGER NOT NULL DEFAULT 0,
    "unknownRate" INTEGER NOT NULL DEFAULT 0,
    "costMicros" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "CostDaily_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MetaCostDaily" (
    "id" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "country" TEXT NOT NULL,
    "market" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "pricingType" TEXT NOT NULL,
    "tier" TEXT NOT NULL,
    "volume" INTEGER NOT NULL,
    "costMicros" BIGINT,
    "fetchedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MetaCostDaily_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RateCard_shopId_currency_effectiveFrom_key" ON "RateCard"("shopId", "currency", "effectiveFrom");

-- CreateIndex
CREATE INDEX "CostDaily_shopId_day_idx" ON "CostDaily"("shopId", "day");

-- CreateIndex
CREATE UNIQUE INDEX "CostDaily_shopId_day_market_category_pricingType_templateNa_key" ON "CostDaily"("shopId", "day", "market", "category", "pricingType", "templateName", "automation");

-- CreateIndex
CREATE INDEX "MetaCostDaily_shopId_day_idx" ON "MetaCostDaily"("shopId", "day");

-- CreateIndex
CREATE UNIQUE INDEX "MetaCostDaily_shopId_day_country_category_pricingType_tier_key" ON "MetaCostDaily"("shopId", "day", "country", "category", "pricingType", "tier");

-- CreateIndex
CREATE INDEX "Checkout_shopId_completedAt_idx" ON "Checkout"("shopId", "completedAt");

-- CreateIndex
CREATE INDEX "Message_shopId_market_pricingCategory_deliveredAt_idx" ON "Message"("shopId", "market", "pricingCategory", "deliveredAt");

-- CreateIndex
CREATE INDEX "Message_checkoutId_idx" ON "Message"("checkoutId");

-- CreateIndex
CREATE INDEX "Message_shopId_deliveredAt_idx" ON "Message"("shopId", "deliveredAt");

-- CreateIndex
CREATE INDEX "Order_shopId_createdAt_idx" ON "Order"("shopId", "createdAt");

-- AddForeignKey
ALTER TABLE "RateCard" ADD CONSTRAINT "RateCard_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CostDaily" ADD CONSTRAINT "CostDaily_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MetaCostDaily" ADD CONSTRAINT "MetaCostDaily_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop"("id") ON DELETE CASCADE ON UPDATE CASCADE;
