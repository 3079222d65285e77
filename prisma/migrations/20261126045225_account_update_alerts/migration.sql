-- AlterTable
ALTER TABLE "WhatsAppAccount" ADD COLUMN "accountAlerts" TEXT;
ALTER TABLE "WhatsAppAccount" ADD COLUMN "accountAlertsSince" DATETIME;
ALTER TABLE "WhatsAppAccount" ADD COLUMN "connectionEventAt" DATETIME;
ALTER TABLE "WhatsAppAccount" ADD COLUMN "disconnectDetail" TEXT;
