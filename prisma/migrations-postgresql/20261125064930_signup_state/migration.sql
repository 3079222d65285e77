-- AlterTable
ALTER TABLE "WhatsAppAccount" ADD COLUMN     "historySyncError" TEXT,
ADD COLUMN     "registrationPinCiphertext" TEXT,
ADD COLUMN     "signupCompletedAt" TIMESTAMP(3);
