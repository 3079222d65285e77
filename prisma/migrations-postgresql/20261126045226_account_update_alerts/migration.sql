-- AlterTable
ALTER TABLE "WhatsAppAccount" ADD COLUMN     "accountAlerts" TEXT,
ADD COLUMN     "accountAlertsSince" TIMESTAMP(3),
ADD COLUMN     "connectionEventAt" TIMESTAMP(3),
ADD COLUMN     "disconnectDetail" TEXT;
