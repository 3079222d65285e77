-- AlterTable
ALTER TABLE "CampaignRecipient" ADD COLUMN     "consentSource" TEXT;
