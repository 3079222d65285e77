-- AlterTable
ALTER TABLE "Order" ALTER COLUMN "whatsappCostMicros" SET DATA TYPE BIGINT;
