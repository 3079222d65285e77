-- AlterTable
ALTER TABLE "WhatsAppAccount" ADD COLUMN "accountAlert" TEXT;
ALTER TABLE "WhatsAppAccount" ADD COLUMN "accountAlertAt" DATETIME;
ALTER TABLE "WhatsAppAccount" ADD COLUMN "accountAlertInfo" TEXT;
ALTER TABLE "WhatsAppAccount" ADD COLUMN "connectionEventAt" DATETIME;
ALTER TABLE "WhatsAppAccount" ADD COLUMN "disconnectDetail" TEXT;
