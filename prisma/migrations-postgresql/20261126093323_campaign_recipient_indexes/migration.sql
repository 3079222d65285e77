-- CreateIndex
CREATE INDEX "CampaignRecipient_campaignId_excluded_messageId_idx" ON "CampaignRecipient"("campaignId", "excluded", "messageId");

-- CreateIndex
CREATE INDEX "CampaignRecipient_campaignId_phoneE164_idx" ON "CampaignRecipient"("campaignId", "phoneE164");
