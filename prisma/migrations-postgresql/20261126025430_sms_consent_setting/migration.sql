-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "smsConsentCountsForWhatsApp" BOOLEAN NOT NULL DEFAULT false;
