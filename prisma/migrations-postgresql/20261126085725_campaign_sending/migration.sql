-- AlterTable
ALTER TABLE "Campaign" ADD COLUMN     "attributionDays" INTEGER NOT NULL DEFAULT 7,
ADD COLUMN     "estimate" JSONB,
ADD COLUMN     "finishedAt" TIMESTAMP(3),
ADD COLUMN     "localTime" TEXT,
ADD COLUMN     "overBudgetApproved" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "queueLockedBy" TEXT,
ADD COLUMN     "queueLockedUntil" TIMESTAMP(3),
ADD COLUMN     "queued" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "scheduleKind" TEXT NOT NULL DEFAULT 'NOW',
ADD COLUMN     "scheduledAt" TIMESTAMP(3),
ADD COLUMN     "sendAt" TIMESTAMP(3),
ADD COLUMN     "startedAt" TIMESTAMP(3),
ADD COLUMN     "utmCampaign" TEXT,
ADD COLUMN     "variableMapping" JSONB;

-- AlterTable
ALTER TABLE "CampaignRecipient" ADD COLUMN     "dueAt" TIMESTAMP(3),
ADD COLUMN     "messageId" TEXT;

-- AlterTable
ALTER TABLE "Message" ADD COLUMN     "campaignId" TEXT;

-- CreateIndex
CREATE INDEX "Campaign_status_queueLockedUntil_idx" ON "Campaign"("status", "queueLockedUntil");

-- CreateIndex
CREATE INDEX "Message_campaignId_status_idx" ON "Message"("campaignId", "status");

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "Campaign"("id") ON DELETE SET NULL ON UPDATE CASCADE;
