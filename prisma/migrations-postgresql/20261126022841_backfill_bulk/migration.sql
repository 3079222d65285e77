-- AlterTable
ALTER TABLE "Backfill" ADD COLUMN     "bulkOperationId" TEXT;
