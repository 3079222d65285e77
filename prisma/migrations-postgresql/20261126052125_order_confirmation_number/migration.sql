-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "confirmationNumber" TEXT;
