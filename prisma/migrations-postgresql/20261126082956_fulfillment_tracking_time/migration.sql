-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "trackingUpdatedAt" TIMESTAMP(3);
