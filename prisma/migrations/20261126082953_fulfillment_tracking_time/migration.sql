-- AlterTable
ALTER TABLE "Order" ADD COLUMN "trackingUpdatedAt" DATETIME;
