-- AlterTable
ALTER TABLE "WhatsAppAccount" ADD COLUMN     "healthSyncedAt" TIMESTAMP(3);
