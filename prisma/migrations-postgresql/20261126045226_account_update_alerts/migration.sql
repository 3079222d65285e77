-- AlterTable
ALTER TABLE "WhatsAppAccount" ADD COLUMN     "accountAlert" TEXT,
ADD COLUMN     "accountAlertAt" TIMESTAMP(3),
ADD COLUMN     "accountAlertInfo" TEXT,
ADD COLUMN     "connectionEventAt" TIMESTAMP(3),
ADD COLUMN     "disconnectDetail" TEXT;
