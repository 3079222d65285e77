-- AlterTable
ALTER TABLE "WhatsAppAccount" ADD COLUMN "healthSyncedAt" DATETIME;
