-- AlterTable
ALTER TABLE "WhatsAppAccount" ADD COLUMN "historySyncError" TEXT;
ALTER TABLE "WhatsAppAccount" ADD COLUMN "registrationPinCiphertext" TEXT;
ALTER TABLE "WhatsAppAccount" ADD COLUMN "signupCompletedAt" DATETIME;
