-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "landingSite" TEXT;
