-- CreateTable
CREATE TABLE "Campaign" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shopId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'DRAFT',
    "segmentId" TEXT,
    "segmentQuery" TEXT,
    "filters" JSONB,
    "audienceStatus" TEXT NOT NULL DEFAULT 'PENDING',
    "audienceTotal" INTEGER,
    "audienceRead" INTEGER NOT NULL DEFAULT 0,
    "audienceCursor" TEXT,
    "audienceError" TEXT,
    "audienceAttempts" INTEGER NOT NULL DEFAULT 0,
    "audienceLockedUntil" DATETIME,
    "audienceLockedBy" TEXT,
    "templateName" TEXT,
    "createdBy" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Campaign_shopId_fkey" FOREIGN KEY ("shopId") REFERENCES "Shop" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "CampaignRecipient" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "campaignId" TEXT NOT NULL,
    "shopId" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "contactId" TEXT,
    "phoneE164" TEXT,
    "countryCode" TEXT,
    "market" TEXT,
    "locale" TEXT,
    "firstName" TEXT,
    "excluded" TEXT,
    CONSTRAINT "CampaignRecipient_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Campaign_shopId_createdAt_idx" ON "Campaign"("shopId", "createdAt");

-- CreateIndex
CREATE INDEX "Campaign_audienceStatus_audienceLockedUntil_idx" ON "Campaign"("audienceStatus", "audienceLockedUntil");

-- CreateIndex
CREATE INDEX "CampaignRecipient_campaignId_excluded_market_idx" ON "CampaignRecipient"("campaignId", "excluded", "market");

-- CreateIndex
CREATE INDEX "CampaignRecipient_shopId_customerId_idx" ON "CampaignRecipient"("shopId", "customerId");

-- CreateIndex
CREATE INDEX "CampaignRecipient_shopId_phoneE164_idx" ON "CampaignRecipient"("shopId", "phoneE164");

-- CreateIndex
CREATE UNIQUE INDEX "CampaignRecipient_campaignId_customerId_key" ON "CampaignRecipient"("campaignId", "customerId");
